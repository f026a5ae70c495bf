using Dashboard.Configuration;

namespace Dashboard.Ingest.Sse;

/// <summary>Size bounds of one parser: a longer line or a bigger event is dropped, never buffered.</summary>
public sealed record SseParserLimits(int MaxLineBytes, int MaxEventBytes)
{
    /// <summary>
    /// Budget of an <c>id</c> or <c>event</c> value: the parser keeps a few bytes more (so the
    /// value still reads as over budget and is cut and counted downstream) and discards the rest
    /// as it arrives, instead of buffering the whole line.
    /// </summary>
    public int MaxFieldBytes { get; init; } = 1024;

    public static SseParserLimits Default { get; } = From(new LimitsOptions());

    public static SseParserLimits From(LimitsOptions limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return new SseParserLimits(Math.Max(16, limits.MaxLineBytes), Math.Max(16, limits.MaxEventBytes))
        {
            MaxFieldBytes = Math.Max(16, limits.EventIdBytes),
        };
    }
}
