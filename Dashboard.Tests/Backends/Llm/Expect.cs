using Dashboard.Backends.Llm;
using Dashboard.Domain;

namespace Dashboard.Tests.Backends.Llm;

/// <summary>Builds the exact domain events a decoder should emit for one run at a fixed time.</summary>
internal sealed class Expect(string backend, string runId, DateTimeOffset at)
{
    public RunStageReported Stage(string stage, StageStatus status, string? message = null) =>
        new() { Backend = backend, At = at, RunId = runId, Stage = stage, Status = status, Message = message };

    public RunTextReceived Text(string text, TextMode mode = TextMode.Append, TextChannel channel = TextChannel.Output) =>
        new() { Backend = backend, At = at, RunId = runId, Text = text, Mode = mode, Channel = channel };

    public RunToolCallUpdated Tool(string id, string? name = null, string? args = null, string? status = null, string? detail = null) =>
        new() { Backend = backend, At = at, RunId = runId, ToolCallId = id, Name = name, ArgumentsDelta = args, Status = status, Detail = detail };

    public RunUsageReported Usage(int? input, int? output, int? total) =>
        new() { Backend = backend, At = at, RunId = runId, Usage = new Usage(input, output, total) };

    public RunUpstreamIdAssigned UpstreamId(string id) =>
        new() { Backend = backend, At = at, RunId = runId, UpstreamId = id };

    /// <summary>The synthesized "first token" pair that precedes the first content event.</summary>
    public DashboardEvent[] FirstToken() =>
        [Stage(LlmStages.FirstToken, StageStatus.Completed, "after 0 ms"), Stage(LlmStages.Streaming, StageStatus.Running)];

    public DashboardEvent[] Done(string? reason) =>
        [Stage(LlmStages.Streaming, StageStatus.Completed), Stage(LlmStages.Done, StageStatus.Completed, reason is null ? "after 0 ms" : $"{reason}, after 0 ms")];

    public DashboardEvent[] Failed(string reason) =>
        [Stage(LlmStages.Streaming, StageStatus.Failed), Stage(LlmStages.Failed, StageStatus.Failed, reason)];
}
