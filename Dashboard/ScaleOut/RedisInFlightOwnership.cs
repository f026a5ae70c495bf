using Dashboard.Backends;
using Dashboard.Storage;
using StackExchange.Redis;

namespace Dashboard.ScaleOut;

/// <summary>A run is followed elsewhere while its lease exists in Redis; when Redis cannot answer, it is left alone.</summary>
internal sealed class RedisInFlightOwnership(RedisCoordinator redis, ILogger<RedisInFlightOwnership> logger) : IInFlightOwnership
{
    public bool IsFollowedElsewhere(string runId)
    {
        try
        {
            return redis.Database.KeyExists(RedisLeases.KeyOf(FollowLeaseKeys.Run(runId)));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning("Run {RunId} was in flight; Redis cannot say who follows it, so it is left as it is.", runId);
            return true;
        }
    }
}
