using Dashboard.Domain;

namespace Dashboard.Tests.State;

/// <summary>Small builders for domain events in hub and projection tests.</summary>
internal static class Events
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static RunCreated Created(string runId, string backend = "codegen", DateTimeOffset? at = null) =>
        new() { Backend = backend, At = at ?? T0, RunId = runId, Prompt = "build a todo app" };

    public static RunStageReported Stage(string runId, string stage, DateTimeOffset? at = null, double? progress = null, StageStatus status = StageStatus.Running, string backend = "codegen") =>
        new() { Backend = backend, At = at ?? T0, RunId = runId, Stage = stage, Status = status, Progress = progress, Message = $"{stage} message" };

    public static RunTextReceived Text(string runId, string text, TextMode mode = TextMode.Append, TextChannel channel = TextChannel.Output) =>
        new() { Backend = "codegen", At = T0, RunId = runId, Text = text, Mode = mode, Channel = channel };

    public static RunEnded Ended(string runId, RunStatus status = RunStatus.Completed, DateTimeOffset? at = null, string? error = null, string backend = "codegen") =>
        new() { Backend = backend, At = at ?? T0, RunId = runId, Status = status, Error = error };

    public static GraphStatsObserved Graph(int nodes, int? edges = null, DateTimeOffset? at = null, string backend = "dreamer") =>
        new()
        {
            Backend = backend,
            At = at ?? T0,
            Stats = new GraphStats(
                nodes,
                edges,
                edges is null ? null : 0.5,
                new Dictionary<string, int> { ["HOT"] = nodes },
                new Dictionary<string, int> { ["concept"] = nodes }),
        };
}
