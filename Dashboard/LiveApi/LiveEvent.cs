using MessagePack;

namespace Dashboard.LiveApi;

/// <summary>
/// One sequenced hub event as the outside world sees it, on SSE and SignalR (JSON and
/// MessagePack: the keys are the same camelCase names). <see cref="Data"/> is a tree of plain
/// values (maps, lists, strings, numbers, booleans, nulls) shaped by <see cref="Type"/>.
/// Clients must ignore types and fields they do not know: both lists grow.
/// </summary>
[MessagePackObject]
[MessagePackFormatter(typeof(LiveEventMessagePackFormatter))]
[System.Text.Json.Serialization.JsonConverter(typeof(LiveEventJsonConverter))]
public sealed record LiveEvent(
    [property: Key("sequence")] long Sequence,
    [property: Key("type")] string Type,
    [property: Key("at")] string At,
    [property: Key("backend")] string? Backend,
    [property: Key("runId")] string? RunId,
    [property: Key("data")] object? Data)
{
    /// <summary>Set on an event many subscribers share (<see cref="SharedLiveItems"/>): its JSON is written once.</summary>
    [IgnoreMember]
    public SerializedLiveEvent? Serialized { get; init; }
}

/// <summary>The <see cref="LiveEvent.Type"/> names (a contract: never rename one).</summary>
public static class LiveEventTypes
{
    public const string BackendState = "backend.state";
    public const string GraphStats = "graph.stats";
    public const string RunCreated = "run.created";
    public const string RunStage = "run.stage";
    public const string RunText = "run.text";
    public const string RunTool = "run.tool";
    public const string RunUsage = "run.usage";
    public const string RunUpstreamId = "run.upstreamId";
    public const string RunMetadata = "run.metadata";
    public const string RunEnded = "run.ended";
    public const string Snapshot = "snapshot";
    public const string Gap = "gap";
}

/// <summary>
/// An event with its place in a group: one hub event (or one snapshot) may become several items
/// with the same sequence (a long text in parts, one item per metadata key); a client may resume
/// after <see cref="LiveEvent.Sequence"/> only once it has the item that <see cref="EndsGroup"/>.
/// </summary>
public readonly record struct LiveItem(LiveEvent Event, bool EndsGroup);
