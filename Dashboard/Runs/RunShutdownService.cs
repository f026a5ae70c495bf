namespace Dashboard.Runs;

/// <summary>On shutdown, cancels the runs in flight while their backends are still up.</summary>
internal sealed class RunShutdownService(RunManager runs) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => runs.StopAllAsync(cancellationToken);
}
