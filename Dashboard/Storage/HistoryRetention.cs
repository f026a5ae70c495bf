using Dashboard.Configuration;
using Microsoft.Extensions.Options;

namespace Dashboard.Storage;

/// <summary>Retention in the background: a small pass now and then, never in the way of ingest.</summary>
internal sealed class HistoryRetention(IHistoryStore store, IOptions<DashboardOptions> options, TimeProvider clock, ILogger<HistoryRetention> logger) : BackgroundService
{
    public static readonly TimeSpan LongestInterval = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Every 5 minutes, or a fifth of the replay window when that is shorter: the replay log then
    /// holds at most about 1.2 windows of events, so a short window keeps the file small too.
    /// </summary>
    public static TimeSpan IntervalFor(TimeSpan replayWindow) =>
        TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, Math.Min(LongestInterval.Ticks, replayWindow.Ticks / 5)));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(IntervalFor(options.Value.Storage.ReplayWindow), clock);
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
            // Any store's database error (SQLite busy, PostgreSQL unreachable) waits for the next pass;
            // it must not end the service, which would stop the host.
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
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
