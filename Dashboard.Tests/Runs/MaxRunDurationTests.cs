using Dashboard.Backends;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Runs;
using Dashboard.Security;
using Dashboard.Tests.Ingest;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.Runs;

/// <summary>A run that never ends by itself ends failed at its backend's MaxRunDuration (fake clock).</summary>
public sealed class MaxRunDurationTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly RecordingRunStore _sink = new();
    private readonly SignalingTimeProvider _clock = new();

    private RunManager Create(TestBackendKind kind, TimeSpan? maxRunDuration)
    {
        var backend = new BackendOptions { Name = "alpha", Kind = kind.Kind, MaxRunDuration = maxRunDuration };
        var options = Options.Create(new DashboardOptions { Backends = [backend] });
        var catalog = new BackendCatalog();
        catalog.Publish([new BackendEntry(backend, kind, kind.CreateClient(backend, null!))]);
        return new RunManager(catalog, _sink, _sink, options, _clock, NullLogger<RunManager>.Instance);
    }

    [Fact]
    public async Task A_run_past_its_max_duration_ends_failed_with_a_clear_message_and_the_upstream_is_cancelled()
    {
        var clientStopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var upstreamCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var kind = new TestBackendKind("t")
        {
            Run = async (run, ct) =>
            {
                run.Stage("trickling", StageStatus.Running);
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                finally
                {
                    clientStopped.TrySetResult();
                }
            },
            Cancel = (_, _) =>
            {
                upstreamCancelled.TrySetResult();
                return Task.CompletedTask;
            },
        };
        var limit = TimeSpan.FromMinutes(20);
        var manager = Create(kind, limit);

        var runId = manager.Start(new RunRequest("alpha", "go")).RunId!;
        Assert.Equal(limit, await _clock.NextTimerAsync(Patience));
        _clock.Advance(limit - TimeSpan.FromSeconds(1));
        Assert.False(_sink.WaitForEndAsync(runId).IsCompleted);
        _clock.Advance(TimeSpan.FromSeconds(1));

        var ended = await _sink.WaitForEndAsync(runId);
        Assert.Equal(RunStatus.Failed, ended.Status);
        Assert.Equal(RunManager.MaxDurationError("alpha", limit), ended.Error);
        Assert.Contains("maximum duration (00:20:00, MaxRunDuration", ended.Error, StringComparison.Ordinal);
        await clientStopped.Task.WaitAsync(Patience);
        await upstreamCancelled.Task.WaitAsync(Patience);
        Assert.Single(_sink.EventsOf(runId).OfType<RunEnded>());
    }

    [Fact]
    public async Task Without_a_setting_the_default_applies()
    {
        var kind = new TestBackendKind("t") { Run = (_, ct) => Task.Delay(Timeout.Infinite, ct) };
        var manager = Create(kind, null);

        var runId = manager.Start(new RunRequest("alpha", "go")).RunId!;
        Assert.Equal(BackendOptions.DefaultMaxRunDuration, await _clock.NextTimerAsync(Patience));
        _clock.Advance(BackendOptions.DefaultMaxRunDuration);

        Assert.Equal(RunStatus.Failed, (await _sink.WaitForEndAsync(runId)).Status);
    }
}
