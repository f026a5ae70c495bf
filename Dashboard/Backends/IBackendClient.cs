using Dashboard.Domain;
using System.Text.Json;
using Dashboard.Configuration;

namespace Dashboard.Backends;

/// <summary>How the dashboard talks to one configured backend. Components never call it directly.</summary>
public interface IBackendClient
{
    BackendOptions Options { get; }

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

    /// <summary>Upstream-side cancel (codegen POST /generations/{id}/cancel); LLM kinds need none.</summary>
    Task CancelAsync(RunContext run, CancellationToken cancellationToken);

    /// <summary>The always-on stream (graph stats, raw sse); returns when stopped. Kinds without one return at once.</summary>
    Task RunAlwaysOnAsync(CancellationToken cancellationToken);
}
