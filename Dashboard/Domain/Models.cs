namespace Dashboard.Domain;

/// <summary><see cref="Interrupted"/>: the dashboard stopped while the run was in flight and its stream could not be resumed.</summary>
public enum RunStatus { Pending, Running, Completed, Failed, Cancelled, Interrupted }

public enum StageStatus { Running, Completed, Warning, Failed, Cancelled }

public enum BackendState { Connecting, Connected, Reconnecting, Idle, Failed, Stopped }

public enum TextMode { Append, Replace }

public enum TextChannel { Output, Thinking }

public static class RunStatusExtensions
{
    public static bool IsTerminal(this RunStatus status) =>
        status is RunStatus.Completed or RunStatus.Failed or RunStatus.Cancelled or RunStatus.Interrupted;
}

/// <summary>
/// Graph stats. <see cref="Edges"/> and <see cref="AvgEntanglement"/> are null when the source
/// (the SSE update) does not carry them; projections keep the last known value.
/// </summary>
public sealed record GraphStats(
    int Nodes,
    int? Edges,
    double? AvgEntanglement,
    IReadOnlyDictionary<string, int> Tiers,
    IReadOnlyDictionary<string, int> Types);

public sealed record Usage(int? InputTokens, int? OutputTokens, int? TotalTokens);

/// <summary>Health of one upstream connection as shown on the Backends page and at /api/backends.</summary>
public sealed record BackendHealth(
    string Name,
    string Kind,
    BackendState State,
    DateTimeOffset? LastEventAt,
    long EventsReceived,
    long DecodeErrors,
    long Reconnects,
    long OversizedDropped,
    string? LastError,
    bool IsDemo)
{
    /// <summary>Upstream values (event ids, types) cut to their byte budget (Dashboard:Limits).</summary>
    public long ValuesCut { get; init; }

    /// <summary>Reconnects that left out Last-Event-ID because the id was over its byte budget.</summary>
    public long IdsNotResent { get; init; }

    /// <summary>The dashboards (store instances) a federated backend came through, nearest last; empty for a backend of this dashboard.</summary>
    public IReadOnlyList<string> Via { get; init; } = [];

    /// <summary>
    /// A federated backend's abilities as its own dashboard lists them (<c>runs</c>, <c>iterate</c>,
    /// <c>cancel</c>, <c>graph</c>); null for this dashboard's own backends, whose kind says.
    /// </summary>
    public IReadOnlyList<string>? Capabilities { get; init; }

    /// <summary>A federated backend's run option fields as its own dashboard lists them; null for this dashboard's own.</summary>
    public IReadOnlyList<RunOptionField>? RunOptions { get; init; }
}
