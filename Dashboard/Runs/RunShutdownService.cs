namespace Dashboard.Runs;

/// <summary>On shutdown, detaches the runs in flight: they go on upstream, and are settled from history at the next start.</summary>
internal sealed class RunShutdownService(RunManager runs) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => runs.DetachAllAsync(cancellationToken);
}
