using Dashboard.Backends;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Runs;

namespace Dashboard.Tests.Components;

/// <summary>
/// A launcher for page tests that need outcomes or runs without an upstream: it applies the given
/// rules and publishes the run's events into the real hub, as the run manager does.
/// </summary>
internal sealed class TestRunLauncher(IEventHub hub, TimeProvider time, IReadOnlyList<RunBackend> backends, Func<RunRequest, IReadOnlyList<FieldError>> validate) : IRunLauncher
{
    public List<RunRequest> Started { get; } = [];

    public List<string> Cancelled { get; } = [];

    public StartRunResult? NextResult { get; set; }

    public IReadOnlyList<RunBackend> RunBackends => backends;

    public IReadOnlyList<FieldError> Validate(RunRequest request) => validate(request);

    public StartRunResult Start(RunRequest request)
    {
        if (NextResult is { } forced)
        {
            return forced;
        }

        var errors = validate(request);
        if (errors.Count > 0)
        {
            return new StartRunResult(StartRunOutcome.Invalid, null, errors);
        }

        var id = $"run-{Started.Count + 1}";
        Started.Add(request);
        hub.Publish(new RunCreated
        {
            Backend = request.Backend,
            At = time.GetUtcNow(),
            RunId = id,
            Prompt = request.Prompt,
            ParentRunId = request.ParentRunId,
            Options = request.Options ?? RunCreated.EmptyOptions,
        });
        return StartRunResult.Started(id);
    }

    public Task<bool> CancelAsync(string runId, CancellationToken cancellationToken = default)
    {
        Cancelled.Add(runId);
        hub.Publish(new RunEnded { Backend = hub.State.GetRun(runId)!.Backend, At = time.GetUtcNow(), RunId = runId, Status = RunStatus.Cancelled });
        return Task.FromResult(true);
    }
}
