using Dashboard.Configuration;

namespace Dashboard.Ingest.Sse;

/// <summary>Size bounds of one parser: a longer line or a bigger event is dropped, never buffered.</summary>
public sealed record SseParserLimits(int MaxLineBytes, int MaxEventBytes)
{
    public static SseParserLimits Default { get; } = From(new LimitsOptions());

    public static SseParserLimits From(LimitsOptions limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return new SseParserLimits(Math.Max(16, limits.MaxLineBytes), Math.Max(16, limits.MaxEventBytes));
    }
}
