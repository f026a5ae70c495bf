using System.Text.Json;
using System.Text.Json.Serialization;
using Dashboard.Domain;

namespace Dashboard.Backends.Federation;

// What this dashboard reads of another dashboard's live events. Declared here, not shared with
// the server side: the other dashboard may be another version, and unknown fields are ignored.

/// <summary>One live event as the other dashboard's hub streams it.</summary>
public sealed record RemoteEvent(long Sequence, string Type, string? At, string? Backend, string? RunId, JsonElement Data);

internal sealed record RemoteBackend(
    string Name,
    string? Kind,
    BackendState State,
    DateTimeOffset? LastEventAt,
    long EventsReceived,
    long DecodeErrors,
    long Reconnects,
    string? LastError,
    bool IsDemo,
    long OversizedDropped,
    IReadOnlyList<string>? Via,
    IReadOnlyList<string>? Capabilities,
    IReadOnlyList<RunOptionField>? Options);

internal sealed record RemoteGraph(string? Backend, int Nodes, int? Edges, double? AvgEntanglement, Dictionary<string, int>? Tiers, Dictionary<string, int>? Types);

internal sealed record RemoteRun(string Id, string Backend, string? Prompt, RunStatus Status, string? ParentRunId, string? UpstreamId, Dictionary<string, JsonElement>? Options, string? Error)
{
    public DateTimeOffset? StartedAt { get; init; }
}

/// <summary>An item of the other dashboard's <c>GET /api/runs</c> (what the back-fill needs of it).</summary>
internal sealed record RemoteRunSummary(string Id, string Backend, RunStatus Status);

/// <summary>One run as the other dashboard's <c>GET /api/runs/{id}</c> answers it.</summary>
internal sealed record RemoteRunDetail(
    string Id,
    string Backend,
    string? Prompt,
    RunStatus Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    IReadOnlyList<RemoteTimelineEntry>? Timeline,
    string? Text,
    string? Thinking,
    RemoteUsage? Usage,
    string? Error,
    string? ParentRunId,
    string? UpstreamId,
    Dictionary<string, JsonElement>? Options,
    IReadOnlyList<RemoteTool>? ToolCalls,
    Dictionary<string, string>? Metadata);

internal sealed record RemoteTimelineEntry(string Stage, StageStatus Status, string? Message, double? Progress, DateTimeOffset At);

internal sealed record RemoteSnapshot(string Instance, long LastSequence, IReadOnlyList<RemoteBackend>? Backends, IReadOnlyList<RemoteGraph>? Graph, IReadOnlyList<RemoteRun>? Runs);

internal sealed record RemoteStage(string Stage, StageStatus Status, string? Message, double? Progress);

internal sealed record RemoteText(string Channel, string? Delta, string? Snapshot);

internal sealed record RemoteTool(string Id, string? Name, string? Status, string? Detail, string? Arguments);

internal sealed record RemoteUsage(int? InputTokens, int? OutputTokens, int? TotalTokens);

internal sealed record RemoteEnded(RunStatus Status, string? Error);

internal static class RemoteJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static T Read<T>(JsonElement data) =>
        data.Deserialize<T>(Options) ?? throw new JsonException($"A null {typeof(T).Name}.");
}
