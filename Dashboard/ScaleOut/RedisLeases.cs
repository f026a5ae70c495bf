using Dashboard.Backends;
using StackExchange.Redis;

namespace Dashboard.ScaleOut;

/// <summary>
/// Leases in Redis: <c>SET key owner NX PX ttl</c> takes one; renewal and release are Lua scripts
/// that act only while the value is still this holder's (compare-and-set), so a holder that lost
/// its lease can never extend or delete the next holder's. A release is announced on a channel so
/// waiters take over at once after a graceful stop instead of at the TTL.
/// </summary>
public sealed class RedisLeases : IFollowLeases
{
    internal static readonly RedisChannel Released = RedisChannel.Literal(RedisCoordinator.KeyPrefix + "lease-released");

    /// <summary>Past a lease's expiry: Redis drops an expired key on access, so a few milliseconds are enough.</summary>
    internal static readonly TimeSpan ExpiryGrace = TimeSpan.FromMilliseconds(5);

    private const string RenewScript =
        "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

    private const string ReleaseScript =
        "if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('del', KEYS[1]); redis.call('publish', ARGV[2], KEYS[1]); return 1 else return 0 end";

    private readonly RedisCoordinator _redis;
    private readonly ILogger<RedisLeases> _logger;
    private readonly Lock _gate = new();
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _subscribed;

    public RedisLeases(RedisCoordinator redis, ILogger<RedisLeases> logger)
    {
        _redis = redis;
        _logger = logger;
    }

    private TimeSpan Ttl => _redis.Options.LeaseTtl;

    public static RedisKey KeyOf(string key) => RedisCoordinator.KeyPrefix + "lease:" + key;

    public async Task<IFollowLease> AcquireAsync(string key, CancellationToken cancellationToken)
    {
        Subscribe();
        // Polled at a tenth of the TTL: an expired holder is replaced within about 1.1 TTL.
        var poll = TimeSpan.FromMilliseconds(Math.Clamp(Ttl.TotalMilliseconds / 10, 100, 1000));
        while (true)
        {
            Task released;
            lock (_gate)
            {
                released = _release.Task;
            }

            if (await TryAcquireAsync(key, cancellationToken) is { } lease)
            {
                return lease;
            }

            // Asked again the moment the holder's lease runs out, not up to a poll later.
            var wait = await TimeLeftAsync(key) is { } left ? Min(left + ExpiryGrace, poll) : poll;
            try
            {
                await released.WaitAsync(wait, _redis.Clock, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Poll again.
            }
        }
    }

    public async Task<IFollowLease?> TryAcquireAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var owner = NewOwner();
        var asked = _redis.Clock.GetTimestamp();
        try
        {
            if (!await _redis.Database.StringSetAsync(KeyOf(key), owner, Ttl, When.NotExists).WaitAsync(Ttl / 2, _redis.Clock, cancellationToken))
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return null;
        }

        _logger.LogInformation("Lease {Key} taken by this replica ({Replica}).", key, _redis.ReplicaId);
        return new Lease(this, key, owner, asked);
    }

    public IFollowLease? TryAcquire(string key)
    {
        var owner = NewOwner();
        var asked = _redis.Clock.GetTimestamp();
        try
        {
            if (!_redis.Database.StringSet(KeyOf(key), owner, Ttl, When.NotExists))
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return null;
        }

        _logger.LogInformation("Lease {Key} taken by this replica ({Replica}).", key, _redis.ReplicaId);
        return new Lease(this, key, owner, asked);
    }

    private string NewOwner() => _redis.ReplicaId + ":" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));

    /// <summary>Completes when any lease is released (a graceful stop somewhere), or after <paramref name="timeout"/>.</summary>
    public async Task WaitForReleaseAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Subscribe();
        Task released;
        lock (_gate)
        {
            released = _release.Task;
        }

        try
        {
            await released.WaitAsync(timeout, _redis.Clock, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Time to look again anyway.
        }
    }

    /// <summary>
    /// How long the current holder's lease on <paramref name="key"/> lasts without renewal (Redis'
    /// PTTL); zero when it is free; null when Redis cannot say. A waiter scheduled for then takes a
    /// dead holder's lease as it expires instead of finding it free at its next look.
    /// </summary>
    public async Task<TimeSpan?> TimeLeftAsync(string key)
    {
        try
        {
            if (await _redis.Database.KeyTimeToLiveAsync(KeyOf(key)).WaitAsync(Ttl / 2, _redis.Clock) is { } left)
            {
                return left;
            }

            // No expiry: no key (free now), or a key without one (never written here: ask again later).
            var exists = await _redis.Database.KeyExistsAsync(KeyOf(key)).WaitAsync(Ttl / 2, _redis.Clock);
            return exists ? null : (TimeSpan?)TimeSpan.Zero;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return null;
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>Who holds <paramref name="key"/> now (its replica id and token); null when free; throws when Redis cannot say.</summary>
    public async Task<string?> HolderAsync(string key) => await _redis.Database.StringGetAsync(KeyOf(key));

    private void Subscribe()
    {
        if (Interlocked.Exchange(ref _subscribed, 1) != 0)
        {
            return;
        }

        try
        {
            _redis.Subscriber.Subscribe(Released).OnMessage(_ => Wake());
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Redis is down now: polling still finds free leases; the subscription is retried next time.
            Volatile.Write(ref _subscribed, 0);
        }
    }

    private void Wake()
    {
        TaskCompletionSource woken;
        lock (_gate)
        {
            woken = _release;
            _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        woken.TrySetResult();
    }

    /// <summary>
    /// Renewed every third of the TTL. The lease counts as held only until "last successful ask +
    /// TTL − margin": past that (Redis unreachable, or a renewal that found another value) it is
    /// lost, before Redis itself could let another replica in.
    /// </summary>
    private sealed class Lease : IFollowLease
    {
        private readonly RedisLeases _leases;
        private readonly string _owner;
        private readonly CancellationTokenSource _lost = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewing;
        private long _heldSince;
        private int _disposed;

        public Lease(RedisLeases leases, string key, string owner, long askedAt)
        {
            _leases = leases;
            Key = key;
            _owner = owner;
            _heldSince = askedAt;
            _renewing = Task.Run(RenewLoopAsync);
        }

        public string Key { get; }

        public CancellationToken Lost => _lost.Token;

        private TimeSpan Ttl => _leases.Ttl;

        private TimeSpan Margin => Ttl / 5;

        private async Task RenewLoopAsync()
        {
            var clock = _leases._redis.Clock;
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var validFor = Ttl - Margin - clock.GetElapsedTime(Volatile.Read(ref _heldSince));
                    var wait = TimeSpan.FromTicks(Math.Min((Ttl / 3).Ticks, Math.Max(0, validFor.Ticks)));
                    await Task.Delay(wait, clock, _stop.Token);
                    validFor = Ttl - Margin - clock.GetElapsedTime(Volatile.Read(ref _heldSince));
                    if (validFor <= TimeSpan.Zero)
                    {
                        Lose("it could not be renewed within its TTL");
                        return;
                    }

                    var asked = clock.GetTimestamp();
                    try
                    {
                        var renewed = (long)await _leases._redis.Database
                            .ScriptEvaluateAsync(RenewScript, [KeyOf(Key)], [_owner, (long)Ttl.TotalMilliseconds])
                            .WaitAsync(validFor, clock, _stop.Token);
                        if (renewed != 1)
                        {
                            Lose("another replica holds it");
                            return;
                        }

                        Volatile.Write(ref _heldSince, asked);
                    }
                    catch (Exception ex) when (ex is RedisException or TimeoutException)
                    {
                        // Retried at the next turn while time is left; lost once it is not.
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // Released.
            }
        }

        private void Lose(string why)
        {
            _leases._logger.LogWarning("Lease {Key} lost ({Why}): this replica stops following it.", Key, why);
            _lost.Cancel();
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            await _stop.CancelAsync();
            await _renewing;
            if (!_lost.IsCancellationRequested)
            {
                try
                {
                    await _leases._redis.Database
                        .ScriptEvaluateAsync(ReleaseScript, [KeyOf(Key)], [_owner, Released.ToString()])
                        .WaitAsync(Ttl / 2, _leases._redis.Clock);
                    _leases._logger.LogInformation("Lease {Key} released.", Key);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    // It expires at its TTL instead.
                }

                _lost.Cancel();
            }

        }
    }
}
