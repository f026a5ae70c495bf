using Dashboard.Backends;
using Dashboard.State;
using Dashboard.Storage;

namespace Dashboard.Runs;

/// <summary>
/// Start-up: the runs the history store hands over (in flight at the last stop, with an upstream
/// id) go back into the projections at once, so they are listed as in flight from the first
/// request; once the backends are known, each is re-attached or ends interrupted (<see cref="RunManager.Resume"/>).
/// </summary>
internal sealed class RunResumeService(
    IServiceProvider services,
    DashboardState state,
    BackendCatalog catalog,
    RunManager runs,
    IHostApplicationLifetime lifetime,
    ILogger<RunResumeService> logger) : IHostedService
{
    private Task _resuming = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Without a history store (a host of the run side alone) nothing was kept to resume.
        var handed = (services.GetService<IHistoryStore>()?.ResumableAtStart ?? [])
            .Where(r => state.Resume([.. r.Events.Select(e => (e.Sequence, e.Event))]))
            .ToList();
        if (handed.Count > 0)
        {
            _resuming = ResumeAsync(handed, lifetime.ApplicationStopping);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _resuming.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Whatever was not resumed stays in flight in the store and is handed over at the next start.
        }
    }

    private async Task ResumeAsync(List<InFlightRun> handed, CancellationToken stopping)
    {
        try
        {
            // The backends are known only once the server listens (demo backends need its address).
            await catalog.Ready.WaitAsync(stopping);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var followed = handed.Count(r => runs.Resume(r.Run, r.LastSeen, SqliteHistoryStore.InterruptedMessage));
        logger.LogInformation("{Count} runs were in flight at the last stop: {Followed} followed again, {Interrupted} interrupted.",
            handed.Count, followed, handed.Count - followed);
    }
}
