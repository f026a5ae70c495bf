using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dashboard.Hosting;

/// <summary>Ready means pages can be served: the host has started and is not stopping.</summary>
internal sealed class ServingHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            lifetime.ApplicationStopping.IsCancellationRequested ? HealthCheckResult.Unhealthy("Shutting down.")
            : lifetime.ApplicationStarted.IsCancellationRequested ? HealthCheckResult.Healthy("Serving pages.")
            : HealthCheckResult.Unhealthy("Starting."));
}
