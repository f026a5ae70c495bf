using Dashboard.Configuration;
using Dashboard.Domain;

namespace Dashboard.Backends;

/// <summary>
/// How the dashboard talks to one configured backend. A client implements only the capability
/// interfaces below that its kind declares (<see cref="BackendCapabilities"/>); most run kinds
/// derive from <see cref="Common.StreamedRunClient{TDecoder}"/> and write only what differs.
/// Components never call a client directly.
/// </summary>
public interface IBackendClient
{
    BackendOptions Options { get; }
}

/// <summary>Starts runs (<see cref="BackendCapabilities.Runs"/>).</summary>
public interface IRunClient : IBackendClient
{
    /// <summary>The backend's own run options, for the form (codegen: tech_stack, domain, …).</summary>
    IReadOnlyList<RunOptionField> RunOptions { get; }

    /// <summary>Mirrors the upstream's own validation rules; empty when valid.</summary>
    IReadOnlyList<FieldError> ValidateRun(RunRequest request);

    /// <summary>
    /// Starts the run upstream and follows it to its end, publishing domain events through
    /// <paramref name="run"/>. Ends the run itself (RunEnded) on every path except cancellation,
    /// which the caller reports. Cancelling <paramref name="cancellationToken"/> aborts the HTTP work.
    /// </summary>
    Task RunAsync(RunContext run, CancellationToken cancellationToken);
}

/// <summary>Runs the upstream can be told to stop (codegen <c>POST /generations/{id}/cancel</c>).</summary>
public interface IUpstreamCancel : IRunClient
{
    /// <summary>Best effort: the local run is cancelled by the caller whatever happens here.</summary>
    Task CancelAsync(RunContext run, CancellationToken cancellationToken);
}

/// <summary>
/// Runs whose progress the upstream keeps, so a run started earlier (by this app before a restart)
/// can be followed again from its upstream id alone (codegen generations, jobs).
/// </summary>
public interface IRunReattach : IRunClient
{
    /// <summary>
    /// Follows the run whose <see cref="RunContext.UpstreamId"/> is already known to its end,
    /// without starting anything upstream; ends it like <see cref="IRunClient.RunAsync"/> does.
    /// </summary>
    Task ReattachAsync(RunContext run, CancellationToken cancellationToken);
}

/// <summary>The always-on stream (graph stats, raw sse) of <see cref="BackendCapabilities.AlwaysOnStream"/>.</summary>
public interface IAlwaysOnStream : IBackendClient
{
    /// <summary>Follows the stream until <paramref name="cancellationToken"/> stops it.</summary>
    Task RunAlwaysOnAsync(CancellationToken cancellationToken);
}

/// <summary>
/// A link to another dashboard (the <c>dashboard</c> kind): its backends show here as
/// <c>&lt;link&gt;/&lt;backend&gt;</c>, and their runs start and cancel on that dashboard's REST API.
/// </summary>
public interface IFederatedRuns : IBackendClient
{
    /// <summary>
    /// Starts the run on the other dashboard's <c>POST /api/runs</c>. A started run is known here
    /// at once (its id here is returned), and the other side's <c>run.created</c> is matched with it.
    /// </summary>
    /// <param name="remoteBackend">The backend's name on the other dashboard.</param>
    /// <param name="parentUpstreamId">The parent run's id on the other dashboard, for an iteration.</param>
    Task<FederatedStart> StartAsync(string remoteBackend, RunRequest request, string? parentUpstreamId, CancellationToken cancellationToken);

    /// <summary>
    /// Asks the other dashboard to cancel its run; false when it refused (not in flight, unknown) or
    /// could not be reached. A run it no longer knows (404) ends here as interrupted.
    /// </summary>
    Task<bool> CancelAsync(string remoteRunId, CancellationToken cancellationToken);
}

public enum FederatedStartOutcome { Started, Invalid, UnknownBackend, TooManyRuns, Unreachable }

/// <summary>What the other dashboard answered; <see cref="Errors"/> are its own field errors, passed through.</summary>
public sealed record FederatedStart(FederatedStartOutcome Outcome, string? RunId, IReadOnlyList<FieldError> Errors);
