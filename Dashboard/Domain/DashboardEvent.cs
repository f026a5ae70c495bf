namespace Dashboard.Domain;

/// <summary>
/// Everything the dashboard knows arrives as one of these. Decoders turn upstream wire items into
/// them, the event hub sequences them, projections fold them into state. Keep the set small.
/// </summary>
public abstract record DashboardEvent
{
    /// <summary>Configured backend name the event came from.</summary>
    public required string Backend { get; init; }

    /// <summary>When the dashboard received (or synthesized) the event.</summary>
    public required DateTimeOffset At { get; init; }
}

/// <summary>An event about one run; <see cref="RunId"/> is the dashboard's id of that run.</summary>
public abstract record RunEvent : DashboardEvent
{
    public required string RunId { get; init; }
}

/// <summary>Graph stats of a CodeDreamer-style backend: a full snapshot or a streamed update.</summary>
public sealed record GraphStatsObserved : DashboardEvent
{
    public required GraphStats Stats { get; init; }
}

/// <summary>A run was accepted by the dashboard (before the upstream has answered).</summary>
public sealed record RunCreated : RunEvent
{
    public required string Prompt { get; init; }
    public string? ParentRunId { get; init; }
    public IReadOnlyDictionary<string, System.Text.Json.JsonElement> Options { get; init; } = EmptyOptions;

    public static readonly IReadOnlyDictionary<string, System.Text.Json.JsonElement> EmptyOptions = new Dictionary<string, System.Text.Json.JsonElement>();
}

/// <summary>The upstream's own identifier for a run (codegen generation_id, OpenAI response id, job_id…).</summary>
public sealed record RunUpstreamIdAssigned : RunEvent
{
    public required string UpstreamId { get; init; }
}

/// <summary>One entry of a run's progress timeline.</summary>
public sealed record RunStageReported : RunEvent
{
    public required string Stage { get; init; }
    public required StageStatus Status { get; init; }
    public string? Message { get; init; }

    /// <summary>Overall progress normalized to 0..1, when the upstream reports one.</summary>
    public double? Progress { get; init; }
}

/// <summary>Streamed text. <see cref="TextMode.Replace"/> carries the whole text so far (snapshot dialects).</summary>
public sealed record RunTextReceived : RunEvent
{
    public required string Text { get; init; }
    public TextMode Mode { get; init; } = TextMode.Append;
    public TextChannel Channel { get; init; } = TextChannel.Output;
}

/// <summary>A tool call was seen or advanced. Arguments arrive in pieces (append).</summary>
public sealed record RunToolCallUpdated : RunEvent
{
    public required string ToolCallId { get; init; }
    public string? Name { get; init; }
    public string? ArgumentsDelta { get; init; }
    public string? Status { get; init; }
    public string? Detail { get; init; }
}

/// <summary>Token usage as the upstream reports it (values are totals, not increments).</summary>
public sealed record RunUsageReported : RunEvent
{
    public required Usage Usage { get; init; }
}

/// <summary>Facts about the result that the upstream reports (testgen file name, dream category…).</summary>
public sealed record RunMetadataReported : RunEvent
{
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
}

/// <summary>The run reached its terminal state. Text received so far is kept.</summary>
/// <summary>
/// The run's stream was connected again (a drop, then a resume). A marker, not a stage: the
/// upstream's greeting on the new connection (codegen's <c>connected</c>) is not reported as one.
/// </summary>
public sealed record RunStreamReconnected : RunEvent;

public sealed record RunEnded : RunEvent
{
    public required RunStatus Status { get; init; }
    public string? Error { get; init; }
}

/// <summary>A backend connection changed state or counters (published on change, not per event).</summary>
public sealed record BackendHealthChanged : DashboardEvent
{
    public required BackendHealth Health { get; init; }
}
