using Dashboard.Domain;

namespace Dashboard.State;

/// <summary>
/// The projections: what the dashboard currently knows, folded from domain events in hub order.
/// Everything returned is an immutable snapshot (or, for text, an append-only buffer safe to read
/// concurrently), so components and the API can read from any thread.
/// </summary>
public interface IDashboardState
{
    IReadOnlyList<GraphView> Graphs { get; }

    GraphView? GetGraph(string backend);

    /// <summary>Newest first.</summary>
    IReadOnlyList<RunView> Runs { get; }

    RunView? GetRun(string runId);

    IReadOnlyList<BackendHealth> Backends { get; }

    BackendHealth? GetBackend(string name);
}

public sealed record GraphPoint(DateTimeOffset At, int Nodes);

/// <summary>
/// A graph as last seen. Figures age apart: <see cref="UpdatedAt"/> is when nodes, tiers and types
/// last arrived (every update); <see cref="EdgesUpdatedAt"/> when edges and entanglement did (full
/// snapshots only).
/// </summary>
public sealed record GraphView(
    string Backend,
    int Nodes,
    int? Edges,
    double? AvgEntanglement,
    IReadOnlyDictionary<string, int> Tiers,
    IReadOnlyDictionary<string, int> Types,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<GraphPoint> History,
    bool HistoryTruncated)
{
    public DateTimeOffset? EdgesUpdatedAt { get; init; }
}

public sealed record TimelineEntry(
    string Stage,
    StageStatus Status,
    string? Message,
    double? Progress,
    DateTimeOffset At);

public sealed record ToolCallView(string Id, string? Name, string Arguments, string? Status, string? Detail);

/// <summary>A run at one moment. <see cref="Version"/> is the hub sequence of the last event that changed it.</summary>
public sealed record RunView(
    string Id,
    string Backend,
    string Prompt,
    string? ParentRunId,
    IReadOnlyDictionary<string, System.Text.Json.JsonElement> Options,
    string? UpstreamId,
    RunStatus Status,
    string? Stage,
    double? Progress,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    IReadOnlyList<TimelineEntry> Timeline,
    TextBuffer Text,
    TextBuffer Thinking,
    Usage? Usage,
    IReadOnlyList<ToolCallView> ToolCalls,
    IReadOnlyDictionary<string, string> Metadata,
    string? Error,
    long Version)
{
    /// <summary>True when older timeline entries were dropped to keep the run bounded.</summary>
    public bool TimelineTruncated { get; init; }

    /// <summary>When the run's stream was connected again (the newest <see cref="DashboardState.MaxReconnectMarkers"/>): markers on the timeline, not stages.</summary>
    public IReadOnlyList<DateTimeOffset> Reconnects { get; init; } = [];

    /// <summary>Every reconnect of the run's stream, including markers no longer kept.</summary>
    public long ReconnectCount { get; init; }

    /// <summary>Upstream values cut to their byte budget (Dashboard:Limits), e.g. a stage message over 16 KB.</summary>
    public long ValuesCut { get; init; }

    /// <summary>Entries or tool-call data dropped because the run's total byte budget was used up.</summary>
    public long ValuesDropped { get; init; }
}
