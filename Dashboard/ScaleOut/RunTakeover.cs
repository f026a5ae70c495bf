using Dashboard.Domain;
using Dashboard.Backends;
using Dashboard.Runs;
using Dashboard.State;
using Dashboard.Storage;
using StackExchange.Redis;

namespace Dashboard.ScaleOut;

/// <summary>
/// Runs across replicas. A run in flight that no replica holds any more (its holder died, or
/// stopped and released it) is taken over by whichever replica takes its lease first: re-attached
/// when its backend can follow it again (codegen, jobs), otherwise ended interrupted. A cancel
/// asked of a replica that does not follow the run is passed on to all, and the holder acts on it.
/// </summary>
public sealed class RunTakeover(
    RedisCoordinator redis,
    RedisLeases leases,
    RedisEventStream events,
    RunManager runs,
    IDashboardState state,
    BackendCatalog catalog,
    IHostApplicationLifetime lifetime,
    ILogger<RunTakeover> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A replica on its way out takes nothing over: the runs it lets go are for the others.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        await LookAsync(stopping.Token);
    }

    private async Task LookAsync(CancellationToken stoppingToken)
    {
        SubscribeToCancels();
        try
        {
            await catalog.Ready.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        // Looked at every quarter TTL, at once when a lease is released somewhere, and when the
        // lease of a run followed elsewhere runs out (its holder died: nobody renewed it).
        var look = redis.Options.LeaseTtl / 4;
        while (!stoppingToken.IsCancellationRequested)
        {
            var next = look;
            if (redis.IsConnected)
            {
                next = await TakeOverOrphansAsync(look, stoppingToken);
            }

            try
            {
                await leases.WaitForReleaseAsync(next, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void SubscribeToCancels()
    {
        try
        {
            redis.Subscriber.Subscribe(RedisCancelRelay.Channel).OnMessage(async message =>
            {
                var runId = (string)message.Message!;
                if (runs.IsFollowing(runId))
                {
                    await runs.CancelAsync(runId);
                }
            });
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // StackExchange.Redis restores subscriptions it made; one never made is not.
            logger.LogWarning("Cancels from other replicas cannot be received until Redis is reachable at start ({Error}).", ex.Message);
        }
    }

    /// <summary>Takes over the runs nobody holds; returns when to look again (at the latest <paramref name="look"/>).</summary>
    private async Task<TimeSpan> TakeOverOrphansAsync(TimeSpan look, CancellationToken stoppingToken)
    {
        var next = look;
        foreach (var run in state.Runs.Where(r => !r.Status.IsTerminal() && !runs.IsFollowing(r.Id)).ToList())
        {
            var key = FollowLeaseKeys.Run(run.Id);
            if (await leases.TryAcquireAsync(key, stoppingToken) is not { } lease)
            {
                // A live holder renews every third of the TTL, so its lease never runs this low
                // before the next look; a dead holder's does, and the next look is when it runs out.
                if (await leases.TimeLeftAsync(key) is { } left && left + RedisLeases.ExpiryGrace < next)
                {
                    next = left + RedisLeases.ExpiryGrace;
                }

                continue;
            }

            // The last holder publishes a run's end before releasing it: once this replica has
            // applied everything sequenced so far, a run still in flight here really is an orphan.
            await events.CatchUpAsync(stoppingToken);
            var current = state.GetRun(run.Id);
            if (current is null || current.Status.IsTerminal() || runs.IsFollowing(run.Id))
            {
                await lease.DisposeAsync();
                continue;
            }

            var lastSeen = current.Timeline.Count > 0 ? current.Timeline[^1].At : current.StartedAt;
            var followed = runs.Resume(current, lastSeen, SqliteHistoryStore.InterruptedMessage, lease);
            logger.LogInformation("Run {RunId} on {Backend} had no follower: {Outcome} by this replica.", run.Id, run.Backend, followed ? "re-attached" : "ended interrupted");
        }

        return next;
    }
}
