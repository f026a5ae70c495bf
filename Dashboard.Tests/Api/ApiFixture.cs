using Dashboard.Testing;
using System.Collections.Concurrent;
using Dashboard.Backends;
using Dashboard.Domain;
using Dashboard.Tests.Runs;

namespace Dashboard.Tests.Api;

/// <summary>
/// One real app shared by the API tests: "alpha" runs to completion with a stage, text and usage;
/// "single" holds its one allowed run until cancelled; "stream" has only an always-on stream.
/// </summary>
public sealed class ApiFixture : IAsyncLifetime
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _finished = new();
    private readonly TaskCompletionSource _streamStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _streamStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TestApp? _server;

    internal TestApp Server => _server!;

    public HttpClient Client { get; private set; } = null!;

    public Task StreamStarted => _streamStarted.Task;

    public Task StreamStopped => _streamStopped.Task;

    public static Dictionary<string, string?> Settings => new()
    {
        ["Dashboard:Backends:0:Name"] = "alpha",
        ["Dashboard:Backends:0:Kind"] = "test-runs",
        ["Dashboard:Backends:0:Password"] = "alpha-secret-pw",
        ["Dashboard:Backends:1:Name"] = "single",
        ["Dashboard:Backends:1:Kind"] = "test-block",
        ["Dashboard:Backends:1:MaxConcurrentRuns"] = "1",
        ["Dashboard:Backends:2:Name"] = "stream",
        ["Dashboard:Backends:2:Kind"] = "test-stream",
        ["Dashboard:Limits:MaxPromptChars"] = "50",
        // Above the API's largest event limit (1,000), so the limit's clamp is what the tests see.
        ["Dashboard:Limits:InspectorCapacity"] = "1100",
    };

    /// <summary>Completes when the client of <paramref name="runId"/> has returned.</summary>
    public Task Finished(string runId) => FinishedSource(runId).Task.WaitAsync(Patience);

    public Task InitializeAsync()
    {
        _server = new TestApp(Settings) { Demo = false, Kinds = [RunsKind(), BlockingKind(), StreamKind()] };
        Client = _server.CreateApiClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private TaskCompletionSource FinishedSource(string runId) =>
        _finished.GetOrAdd(runId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private TestBackendKind RunsKind() => new("test-runs")
    {
        Run = (run, _) =>
        {
            run.AssignUpstreamId("up-" + run.RunId);
            run.Stage("generating", StageStatus.Running, "halfway", 0.5);
            run.Sink.Publish(new RunTextReceived { Backend = run.Backend, At = run.Clock.GetUtcNow(), RunId = run.RunId, Text = "Hello, " });
            run.Sink.Publish(new RunTextReceived { Backend = run.Backend, At = run.Clock.GetUtcNow(), RunId = run.RunId, Text = "world" });
            run.Sink.Publish(new RunUsageReported { Backend = run.Backend, At = run.Clock.GetUtcNow(), RunId = run.RunId, Usage = new Usage(3, 5, 8) });
            run.Stage("generating", StageStatus.Completed, "done", 1);
            run.End(RunStatus.Completed);
            FinishedSource(run.RunId).TrySetResult();
            return Task.CompletedTask;
        },
        RunValidation = r => r.Options?.TryGetValue("temperature", out var t) == true && t.ValueKind != System.Text.Json.JsonValueKind.Number
            ? [new Dashboard.Domain.FieldError("temperature", "temperature must be a number.")]
            : [],
    };

    private TestBackendKind BlockingKind() => new("test-block")
    {
        Run = async (run, ct) =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            finally
            {
                FinishedSource(run.RunId).TrySetResult();
            }
        },
    };

    private TestBackendKind StreamKind() => new("test-stream", BackendCapabilities.GraphStats | BackendCapabilities.AlwaysOnStream)
    {
        AlwaysOn = async ct =>
        {
            _streamStarted.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            finally
            {
                _streamStopped.TrySetResult();
            }
        },
    };
}
