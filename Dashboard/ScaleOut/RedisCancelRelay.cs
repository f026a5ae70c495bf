using Dashboard.Runs;
using StackExchange.Redis;

namespace Dashboard.ScaleOut;

/// <summary>A cancel for a run this replica does not follow goes out on a channel every replica listens to (<see cref="RunTakeover"/>).</summary>
public sealed class RedisCancelRelay(RedisCoordinator redis, ILogger<RedisCancelRelay> logger) : IRunCancelRelay
{
    internal static readonly RedisChannel Channel = RedisChannel.Literal(RedisCoordinator.KeyPrefix + "cancel");

    public async Task<bool> RequestAsync(string runId, CancellationToken cancellationToken)
    {
        try
        {
            var reached = await redis.Subscriber.PublishAsync(Channel, runId).WaitAsync(cancellationToken);
            logger.LogInformation("Run {RunId}: cancel passed on to the replica that follows it ({Reached} replicas listening).", runId, reached);
            return reached > 0;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning("Run {RunId}: the cancel could not be passed on ({Error}).", runId, ex.Message);
            return false;
        }
    }
}
