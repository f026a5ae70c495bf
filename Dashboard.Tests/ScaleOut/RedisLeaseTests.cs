using Dashboard.Backends;
using Dashboard.ScaleOut;
using Dashboard.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.ScaleOut;

/// <summary>The leases themselves, against a real redis-server: exclusive, renewed, released, lost.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RedisLeaseTests(RedisServer redis)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_lease_is_held_by_one_replica_until_released_and_then_taken_by_a_waiter_at_once()
    {
        using var a = Coordinator(TimeSpan.FromSeconds(30));
        using var b = Coordinator(TimeSpan.FromSeconds(30));
        var key = "test:" + Guid.NewGuid().ToString("N");

        var held = await Leases(a).TryAcquireAsync(key, CancellationToken.None);
        Assert.NotNull(held);
        Assert.Null(await Leases(b).TryAcquireAsync(key, CancellationToken.None));

        // The TTL (30 s) is longer than the patience: the handover comes from the release, not from expiry.
        var waiting = Leases(b).AcquireAsync(key, CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        await held!.DisposeAsync();
        await using var next = await waiting.WaitAsync(Patience);
        Assert.StartsWith(b.ReplicaId + ":", await Leases(b).HolderAsync(key), StringComparison.Ordinal);
        Assert.True(held.Lost.IsCancellationRequested);
        Assert.False(next.Lost.IsCancellationRequested);
    }

    [Fact]
    public async Task A_held_lease_is_renewed_before_its_ttl()
    {
        using var a = Coordinator(TimeSpan.FromSeconds(2));
        var key = "test:" + Guid.NewGuid().ToString("N");
        await using var held = await Leases(a).TryAcquireAsync(key, CancellationToken.None);
        Assert.NotNull(held);

        using var deadline = new CancellationTokenSource(Patience);
        // A renewal puts the remaining time back up; without one it only ever goes down.
        var lowest = await PttlAsync(key);
        while (true)
        {
            await Task.Delay(20, deadline.Token);
            var left = await PttlAsync(key);
            Assert.True(left > 0, $"the lease expired (PTTL {left})");
            if (left > lowest + 300)
            {
                break;
            }

            lowest = Math.Min(lowest, left);
        }

        Assert.False(held!.Lost.IsCancellationRequested);
    }

    [Fact]
    public async Task A_holder_whose_value_was_replaced_loses_its_lease_and_never_deletes_the_new_one()
    {
        using var a = Coordinator(TimeSpan.FromSeconds(1.5));
        var key = "test:" + Guid.NewGuid().ToString("N");
        var held = await Leases(a).TryAcquireAsync(key, CancellationToken.None);
        Assert.NotNull(held);

        await redis.CommandAsync("SET", RedisLeases.KeyOf(key).ToString(), "someone-else", "PX", "60000");
        await WaitAsync(held!.Lost);
        await held.DisposeAsync();

        Assert.Equal("someone-else", await redis.GetAsync(RedisLeases.KeyOf(key).ToString()));
    }

    [Fact]
    public async Task A_holder_that_cannot_reach_redis_gives_its_lease_up_and_nothing_is_taken_until_redis_is_back()
    {
        using var a = Coordinator(TimeSpan.FromSeconds(1.5));
        using var b = Coordinator(TimeSpan.FromSeconds(1.5));
        var key = "test:" + Guid.NewGuid().ToString("N");
        var held = await Leases(a).TryAcquireAsync(key, CancellationToken.None);
        Assert.NotNull(held);

        await redis.StopAsync();
        try
        {
            await WaitAsync(held!.Lost);
            Assert.Null(await Leases(b).TryAcquireAsync(key, CancellationToken.None));
        }
        finally
        {
            await redis.StartAgainAsync();
        }

        await held.DisposeAsync();
        await using var again = await Leases(b).AcquireAsync(key, CancellationToken.None).WaitAsync(Patience);
        Assert.StartsWith(b.ReplicaId + ":", await Leases(b).HolderAsync(key), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Time_left_is_zero_for_a_free_lease_and_the_holders_remaining_ttl_for_a_held_one()
    {
        using var a = Coordinator(TimeSpan.FromSeconds(30));
        var key = "test:" + Guid.NewGuid().ToString("N");
        Assert.Equal(TimeSpan.Zero, await Leases(a).TimeLeftAsync(key));

        await using var held = await Leases(a).TryAcquireAsync(key, CancellationToken.None);
        Assert.NotNull(held);
        var left = await Leases(a).TimeLeftAsync(key);
        Assert.NotNull(left);
        Assert.InRange(left.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(30));
    }

    private RedisCoordinator Coordinator(TimeSpan ttl) => new(
        Options.Create(new ScaleOutOptions { Redis = redis.ConnectionString, LeaseTtl = ttl }),
        TimeProvider.System,
        NullLogger<RedisCoordinator>.Instance);

    private static RedisLeases Leases(RedisCoordinator coordinator) => new(coordinator, NullLogger<RedisLeases>.Instance);

    private async Task<long> PttlAsync(string key)
    {
        var reply = await redis.CommandAsync("PTTL", RedisLeases.KeyOf(key).ToString());
        return long.Parse(reply.TrimStart(':').Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task WaitAsync(CancellationToken lost)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = lost.Register(() => signal.TrySetResult());
        await signal.Task.WaitAsync(Patience, CancellationToken.None);
    }
}
