using Dashboard.Domain;
using Dashboard.Backends;

namespace Dashboard.Runs;

/// <summary>
/// Starts and cancels runs: shared by the form and POST /api/runs so both apply the same rules
/// (backend exists and starts runs, the kind's own validation, limits, concurrency per backend).
/// </summary>
public interface IRunLauncher
{
    /// <summary>Backends that can start runs, with their form options.</summary>
    IReadOnlyList<RunBackend> RunBackends { get; }

    /// <summary>Validates without starting anything (the form uses it as the user types).</summary>
    IReadOnlyList<FieldError> Validate(RunRequest request);

    /// <summary>Validates, creates the run (RunCreated) and follows it in the background.</summary>
    StartRunResult Start(RunRequest request);

    /// <summary>
    /// <see cref="Start"/> for callers that can wait (the form, POST /api/runs): a run on a
    /// federated backend is first started on its own dashboard, whose refusals pass through.
    /// </summary>
    Task<StartRunResult> StartAsync(RunRequest request, CancellationToken cancellationToken = default) => Task.FromResult(Start(request));

    /// <summary>False when the run is unknown or already ended.</summary>
    Task<bool> CancelAsync(string runId, CancellationToken cancellationToken = default);
}

/// <summary>A backend the form can start runs on; <see cref="Capabilities"/> says what else it does (e.g. iterations).</summary>
public sealed record RunBackend(
    string Name,
    string Kind,
    bool IsDemo,
    IReadOnlyList<RunOptionField> Options,
    BackendCapabilities Capabilities = BackendCapabilities.Runs)
{
    /// <summary>Whether a finished run can be iterated on (a new run with it as parent).</summary>
    public bool SupportsIterations => Capabilities.Includes(BackendCapabilities.Iterations);
}

public enum StartRunOutcome { Started, Invalid, UnknownBackend, TooManyRuns }

public sealed record StartRunResult(StartRunOutcome Outcome, string? RunId, IReadOnlyList<FieldError> Errors)
{
    public static StartRunResult Started(string runId) => new(StartRunOutcome.Started, runId, []);
}
