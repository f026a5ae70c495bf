using Dashboard.Benchmarks.ScaleOut;
using Dashboard.Tests.TestSupport;

namespace Dashboard.Tests.Benchmarks;

/// <summary>
/// The scale-out benchmarks run end to end on a tiny size, on the shared throwaway PostgreSQL and
/// Redis, and produce what they claim to measure (timing is never asserted).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ScaleOutBenchmarkSmokeTests(PostgresServer postgres, RedisServer redis)
{
    [Fact]
    public async Task Failover_kills_the_follower_and_times_the_take_over_by_the_other_replica()
    {
        var database = await postgres.CreateDatabaseAsync();

        // The benchmark itself fails unless the surviving replica re-attached the run. A 5 s TTL:
        // with 2 s a replica on a loaded machine lost its lease (renewal late) before the run's first stage.
        var times = await FailoverBenchmark.RunAsync(new FailoverOptions(database, redis.ConnectionString, Kills: 1, LeaseTtl: TimeSpan.FromSeconds(5)));

        var time = Assert.Single(times);
        Assert.True(time > 0, $"kill to take-over: {time} ms");
    }

    [Fact]
    public async Task Replica_latency_reads_every_step_on_the_holder_the_other_replica_and_one_process()
    {
        var database = await postgres.CreateDatabaseAsync();

        var arms = await ReplicaLatencyBenchmark.RunAsync(new ReplicaLatencyOptions(database, redis.ConnectionString, Events: 20, Interval: TimeSpan.FromMilliseconds(5)));

        Assert.Equal(["holder (follows the run)", "other replica (Redis Stream)", "one process, no Redis"], arms.Select(a => a.Name));
        Assert.All(arms, arm => Assert.Equal(20, arm.Latency.Count));
    }
}
