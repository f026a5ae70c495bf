using MessagePack;

namespace Dashboard.LiveApi;

/// <summary>
/// What a SignalR subscriber asks for (the SSE endpoint takes the same as query parameters).
/// Null everywhere: every backend, every run, a snapshot first.
/// </summary>
[MessagePackObject]
public sealed class SubscribeRequest
{
    /// <summary>Only events of these backends (null or empty: all).</summary>
    [Key("backends")]
    public IReadOnlyList<string>? Backends { get; set; }

    /// <summary>Only the events of this run.</summary>
    [Key("runId")]
    public string? RunId { get; set; }

    /// <summary>The last sequence the client saw: resume after it.</summary>
    [Key("fromSequence")]
    public long? FromSequence { get; set; }

    /// <summary>The instance <see cref="FromSequence"/> belongs to (a cursor of another instance gets a snapshot).</summary>
    [Key("instance")]
    public string? Instance { get; set; }
}
