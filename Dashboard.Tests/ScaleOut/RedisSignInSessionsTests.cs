using Dashboard.Configuration;
using Dashboard.ScaleOut;
using Dashboard.Security;
using Dashboard.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.ScaleOut;

/// <summary>Sign-in sessions of two replicas through a real redis-server: opened on one, honoured on the other, signed out on both.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RedisSignInSessionsTests(RedisServer redis)
{
    [Fact]
    public async Task A_session_opened_on_one_replica_is_honoured_on_another_and_a_sign_out_on_either_holds_on_both()
    {
        using var redisA = Coordinator();
        using var redisB = Coordinator();
        var a = Sessions(redisA);
        var b = Sessions(redisB);

        var id = await a.OpenAsync();
        Assert.True(await b.TouchAsync(id));
        Assert.False(await b.TouchAsync("never-opened-anywhere"));

        // A still knows the session itself; the sign-out made on B wins.
        await b.CloseAsync(id);
        Assert.False(await a.TouchAsync(id));
        Assert.False(await b.TouchAsync(id));
        // Redis holds a hash of the session id, never the id.
        Assert.StartsWith("*0", await redis.CommandAsync("KEYS", $"*{id}*"), StringComparison.Ordinal);
        var hashed = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(id)));
        Assert.Equal("closed", await redis.GetAsync("dashboard:session:" + hashed));
    }

    [Fact]
    public async Task A_session_redis_lost_is_put_back_by_the_replica_that_knows_it()
    {
        using var redisA = Coordinator();
        using var redisB = Coordinator();
        var a = Sessions(redisA);
        var b = Sessions(redisB);
        var id = await a.OpenAsync();

        await redis.FlushAsync();
        Assert.False(await b.TouchAsync(id));
        Assert.True(await a.TouchAsync(id));
        Assert.True(await b.TouchAsync(id));
    }

    private RedisCoordinator Coordinator() => new(
        Options.Create(new ScaleOutOptions { Redis = redis.ConnectionString, LeaseTtl = TimeSpan.FromSeconds(10) }),
        TimeProvider.System,
        NullLogger<RedisCoordinator>.Instance);

    private static SignInSessions Sessions(RedisCoordinator coordinator) => new(
        Options.Create(new DashboardOptions { Auth = new AuthOptions { SessionLifetime = TimeSpan.FromMinutes(30) } }),
        TimeProvider.System,
        new RedisSignInSessions(coordinator));
}
