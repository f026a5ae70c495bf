namespace Dashboard.Storage;

/// <summary>Retention in the background: a small pass now and then, never in the way of ingest.</summary>
internal sealed class HistoryRetention(IHistoryStore store, TimeProvider clock, ILogger<HistoryRetention> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                var removed = store.EnforceRetention(clock.GetUtcNow());
                if (removed.Runs + removed.Events + removed.GraphPoints > 0)
                {
                    logger.LogInformation("History retention removed {Runs} runs, {Events} events, {Points} graph points.", removed.Runs, removed.Events, removed.GraphPoints);
                }
            }
            catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
            {
                logger.LogWarning("History retention failed: {Error}", ex.Message);
            }
        }
        while (await NextTickAsync(timer, stoppingToken));
    }

    // Stopping (or a start that failed) ends the loop quietly: it is not an error of retention.
    private static async Task<bool> NextTickAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
