using System.Text.Json;
using Dashboard.Domain;
using Dashboard.State;

namespace Dashboard.Storage;

/// <summary>
/// A run as the store keeps it, split so that lists never read the heavy parts: the summary
/// (every field but text, thinking, timeline and tool calls) and the detail. Prompt and output
/// are columns of their own (full-text indexed). A restored <see cref="RunView"/> is field for
/// field the view that was saved, so the API answers the same JSON before and after a restart.
/// </summary>
internal sealed record RunSummaryDoc(
    string Backend,
    string? ParentRunId,
    IReadOnlyDictionary<string, JsonElement> Options,
    string? UpstreamId,
    RunStatus Status,
    string? Stage,
    double? Progress,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    Usage? Usage,
    IReadOnlyDictionary<string, string> Metadata,
    string? Error,
    long Version,
    bool TextTruncated);

internal sealed record RunDetailDoc(
    IReadOnlyList<TimelineEntry> Timeline,
    bool TimelineTruncated,
    string Thinking,
    bool ThinkingTruncated,
    IReadOnlyList<ToolCallView> ToolCalls);

internal static class RunRecord
{
    public static RunSummaryDoc Summary(RunView run) => new(
        run.Backend, run.ParentRunId, run.Options, run.UpstreamId, run.Status, run.Stage, run.Progress,
        run.StartedAt, run.EndedAt, run.Usage, run.Metadata, run.Error, run.Version, run.Text.Truncated);

    public static RunDetailDoc Detail(RunView run) => new(
        run.Timeline, run.TimelineTruncated, run.Thinking.ToString(), run.Thinking.Truncated, run.ToolCalls);

    public static RunView ToView(string id, string prompt, string output, RunSummaryDoc s, RunDetailDoc? d) => new(
        id,
        s.Backend,
        prompt,
        s.ParentRunId,
        s.Options,
        s.UpstreamId,
        s.Status,
        s.Stage,
        s.Progress,
        s.StartedAt,
        s.EndedAt,
        d?.Timeline ?? [],
        TextBuffer.Restored(output, s.TextTruncated),
        TextBuffer.Restored(d?.Thinking ?? "", d?.ThinkingTruncated ?? false),
        s.Usage,
        d?.ToolCalls ?? [],
        s.Metadata,
        s.Error,
        s.Version)
    {
        TimelineTruncated = d?.TimelineTruncated ?? false,
    };
}
