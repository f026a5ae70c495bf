using System.Security.Cryptography;
using System.Text;
using Dashboard.Security;
using StackExchange.Redis;

namespace Dashboard.ScaleOut;

/// <summary>
/// Sign-in sessions in Redis, one key per session with the session's idle lifetime as its
/// expiry. A sign-out leaves a tombstone for the lifetime (not a deletion), so a replica that
/// still knows the session itself learns it is closed rather than putting it back. Keys hold a
/// hash of the session id, never the id. Redis unreachable: "cannot say", and each replica's own
/// sessions decide (<see cref="SignInSessions.TouchAsync"/>).
/// </summary>
internal sealed class RedisSignInSessions(RedisCoordinator redis) : ISharedSignInSessions
{
    private const string Closed = "closed";

    // 1: open (idle time restarted); 0: signed out; -1: unknown.
    private const string TouchScript = """
        local v = redis.call('GET', KEYS[1])
        if not v then return -1 end
        if v == ARGV[2] then return 0 end
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return 1
        """;

    public async Task OpenAsync(string id, TimeSpan lifetime)
    {
        try
        {
            // Never over a tombstone: a signed-out session stays signed out.
            await redis.Database.StringSetAsync(KeyOf(id), "open", lifetime, When.NotExists);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // This replica still knows it; the others learn it when Redis is back.
        }
    }

    public async Task<bool?> TouchAsync(string id, TimeSpan lifetime)
    {
        if (!redis.IsConnected)
        {
            return null;
        }

        try
        {
            var answer = (long)await redis.Database.ScriptEvaluateAsync(TouchScript, [KeyOf(id)], [(long)lifetime.TotalMilliseconds, Closed]);
            return answer switch
            {
                1 => true,
                0 => false,
                _ => null,
            };
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return null;
        }
    }

    public async Task CloseAsync(string id, TimeSpan lifetime)
    {
        try
        {
            await redis.Database.StringSetAsync(KeyOf(id), Closed, lifetime);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Closed here; a replica that knows it honours it until Redis is back or it expires.
        }
    }

    private static RedisKey KeyOf(string id) =>
        RedisCoordinator.KeyPrefix + "session:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
}
