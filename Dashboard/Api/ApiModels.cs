using System.Text.Json;
using Dashboard.Domain;

namespace Dashboard.Api;

// The JSON API's wire shapes (camelCase, enums as lower-case strings). Users' scripts rely on
// these names: add fields freely, never rename or remove one.

public sealed record BackendDto(
    string Name,
    string Kind,
    BackendState State,
    DateTimeOffset? LastEventAt,
    long EventsReceived,
    long DecodeErrors,
    long Reconnects,
    string? LastError,
    bool IsDemo,
    long OversizedDropped,
    long ValuesCut = 0,
    long IdsNotResent = 0)
{
    /// <summary>The dashboards this backend came through (empty: it is this dashboard's own).</summary>
    public IReadOnlyList<string> Via { get; init; } = [];

    /// <summary>What can be done with it: <c>runs</c> (start runs), <c>iterate</c>, <c>cancel</c>, <c>graph</c>.</summary>
    public IReadOnlyList<string> Capabilities { get; init; } = [];

    /// <summary>The run option fields of the start form.</summary>
    public IReadOnlyList<RunOptionField> Options { get; init; } = [];
}

public sealed record RawEventDto(long Seq, string Type, string Id, string Data, DateTimeOffset ReceivedAt, bool Truncated, string? Note);

public sealed record GraphPointDto(DateTimeOffset At, int Nodes);

public sealed record GraphDto(
    string Backend,
    int Nodes,
    int? Edges,
    IReadOnlyDictionary<string, int> Tiers,
    IReadOnlyDictionary<string, int> Types,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<GraphPointDto> History,
    double? AvgEntanglement,
    bool HistoryTruncated);

public sealed record TimelineEntryDto(string Stage, StageStatus Status, string? Message, double? Progress, DateTimeOffset At);

public sealed record UsageDto(int? InputTokens, int? OutputTokens, int? TotalTokens);

public sealed record ToolCallDto(string Id, string? Name, string Arguments, string? Status, string? Detail);

public sealed record RunDto(
    string Id,
    string Backend,
    string Prompt,
    RunStatus Status,
    string? Stage,
    double? Progress,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    IReadOnlyList<TimelineEntryDto> Timeline,
    string Text,
    UsageDto? Usage,
    string? Error,
    string? ParentRunId,
    string? UpstreamId,
    IReadOnlyDictionary<string, JsonElement> Options,
    string Thinking,
    IReadOnlyList<ToolCallDto> ToolCalls,
    IReadOnlyDictionary<string, string> Metadata,
    bool TextTruncated,
    bool TimelineTruncated = false,
    long ValuesCut = 0,
    long ValuesDropped = 0);

public sealed record StartedRunDto(string Id);

/// <summary>An item of GET /api/runs: every field of a run except text, thinking, timeline and toolCalls; <c>match</c> is the search hit («word») when <c>q</c> is given.</summary>
public sealed record RunSummaryDto(
    string Id,
    string Backend,
    string Prompt,
    RunStatus Status,
    string? Stage,
    double? Progress,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    UsageDto? Usage,
    string? Error,
    string? ParentRunId,
    string? UpstreamId,
    IReadOnlyDictionary<string, JsonElement> Options,
    IReadOnlyDictionary<string, string> Metadata,
    bool TextTruncated,
    bool Pinned,
    string? Match);
