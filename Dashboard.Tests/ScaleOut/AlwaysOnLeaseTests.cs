using Dashboard.Backends;
using Dashboard.Domain;
using Dashboard.ScaleOut;
using Dashboard.Testing;
using Dashboard.Tests.Runs;
using Dashboard.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.ScaleOut;

/// <summary>Two replicas on one PostgreSQL and one Redis: exactly one follows an always-on stream at a time.</summary>
[Collection(PostgresCollection.Name)]
public sealed class AlwaysOnLeaseTests(PostgresServer postgres, RedisServer redis)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task One_replica_follows_the_stream_and_the_other_takes_over_when_it_stops()
    {
        var backend = "graph-" + Guid.NewGuid().ToString("N")[..8];
        var database = await postgres.CreateDatabaseAsync();
        var followers = new Followers();
        var a = Replica(database, backend, followers, "a");
        try
        {
            _ = a.CreateClient();
            Assert.Equal("a", await followers.NextAsync());
            await using var b = Replica(database, backend, followers, "b");
            _ = b.CreateClient();
            Assert.StartsWith(Coordinator(a).ReplicaId + ":", await HolderAsync(backend) ?? "", StringComparison.Ordinal);

            await a.DisposeAsync();
            Assert.Equal("b", await followers.NextAsync());
            Assert.StartsWith(Coordinator(b).ReplicaId + ":", await HolderAsync(backend) ?? "", StringComparison.Ordinal);
            Assert.Equal(1, followers.MostAtOnce);
        }
        finally
        {
            await a.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_follower_cut_off_from_redis_stops_following_and_follows_again_once_redis_is_back()
    {
        var backend = "graph-" + Guid.NewGuid().ToString("N")[..8];
        var database = await postgres.CreateDatabaseAsync();
        var followers = new Followers();
        await using var a = Replica(database, backend, followers, "a", ttl: "00:00:01.500");
        _ = a.CreateClient();
        Assert.Equal("a", await followers.NextAsync());

        await redis.StopAsync();
        try
        {
            await followers.StoppedAsync("a");
        }
        finally
        {
            await redis.StartAgainAsync();
        }

        Assert.Equal("a", await followers.NextAsync());
        Assert.Equal(1, followers.MostAtOnce);
    }

    private TestApp Replica(string database, string backend, Followers followers, string name, string ttl = "00:00:10") => new(new Dictionary<string, string?>
    {
        ["Dashboard:Storage:Provider"] = "postgres",
        ["ConnectionStrings:Dashboard"] = database,
        ["Dashboard:ScaleOut:Redis"] = redis.ConnectionString,
        ["Dashboard:ScaleOut:LeaseTtl"] = ttl,
        ["Dashboard:Backends:0:Name"] = backend,
        ["Dashboard:Backends:0:Kind"] = "test-stream",
        ["Dashboard:Backends:0:Url"] = "http://127.0.0.1:9/",
    })
    {
        Demo = false,
        QuietLogs = true,
        Kinds = [new TestBackendKind("test-stream", BackendCapabilities.AlwaysOnStream) { AlwaysOn = token => followers.FollowAsync(name, token) }],
    };

    private static RedisCoordinator Coordinator(TestApp app) => app.Services.GetRequiredService<RedisCoordinator>();

    private async Task<string?> HolderAsync(string backend) => await redis.GetAsync(RedisLeases.KeyOf(FollowLeaseKeys.Stream(backend)).ToString());

    /// <summary>Which replica follows, in order, and how many ever followed at once.</summary>
    private sealed class Followers
    {
        private readonly System.Threading.Channels.Channel<string> _started = System.Threading.Channels.Channel.CreateUnbounded<string>();
        private readonly System.Threading.Channels.Channel<string> _stopped = System.Threading.Channels.Channel.CreateUnbounded<string>();
        private int _now;
        private int _most;

        public int MostAtOnce => Volatile.Read(ref _most);

        public async Task FollowAsync(string name, CancellationToken token)
        {
            var now = Interlocked.Increment(ref _now);
            InterlockedMax(now);
            _started.Writer.TryWrite(name);
            try
            {
                await Task.Delay(Timeout.Infinite, token);
            }
            finally
            {
                Interlocked.Decrement(ref _now);
                _stopped.Writer.TryWrite(name);
            }
        }

        public async Task<string> NextAsync() => await _started.Reader.ReadAsync().AsTask().WaitAsync(Patience);

        public async Task StoppedAsync(string name)
        {
            Assert.Equal(name, await _stopped.Reader.ReadAsync().AsTask().WaitAsync(Patience));
        }

        private void InterlockedMax(int value)
        {
            int seen;
            while (value > (seen = Volatile.Read(ref _most)) && Interlocked.CompareExchange(ref _most, value, seen) != seen)
            {
            }
        }
    }
}
