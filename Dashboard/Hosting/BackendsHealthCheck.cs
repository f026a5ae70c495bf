using Dashboard.Domain;
using Dashboard.Ingest.Monitoring;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dashboard.Hosting;

/// <summary>
/// Readiness detail of the upstream connections: a failed or reconnecting backend (also while it
/// connects again after a drop) makes the dashboard degraded, never unready (its pages still
/// serve, and show the trouble).
/// </summary>
internal sealed class BackendsHealthCheck(BackendMonitors monitors) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var backends = monitors.Snapshot();
        var data = backends.ToDictionary(b => b.Name, b => (object)b.State.ToString().ToLowerInvariant());
        var troubled = backends.Where(InTrouble).Select(b => b.Name).ToList();
        return Task.FromResult(troubled.Count == 0
            ? HealthCheckResult.Healthy($"{backends.Count} backends, none in trouble.", data)
            : HealthCheckResult.Degraded($"{troubled.Count} of {backends.Count} backends failed or reconnecting: {string.Join(", ", troubled)}.", data: data));
    }

    internal static bool InTrouble(BackendHealth backend) =>
        backend.State is BackendState.Failed or BackendState.Reconnecting
        || (backend.State == BackendState.Connecting && backend.Reconnects > 0);
}
