using Dashboard.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dashboard.ScaleOut;

/// <summary>
/// Readiness detail of the coordination: Redis unreachable makes the replica degraded, never
/// unready (it still serves its pages and what it has; it takes over nothing until Redis is back).
/// </summary>
internal sealed class RedisHealthCheck(RedisCoordinator redis, RedisEventStream events) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = ScaleOutStatus.Of(redis, events);
        var data = new Dictionary<string, object>
        {
            ["endpoint"] = status.Endpoint,
            ["replica"] = status.ReplicaId,
            ["connected"] = status.Connected,
            ["eventsNotShared"] = status.EventsNotShared,
        };
        return Task.FromResult(status.Connected
            ? HealthCheckResult.Healthy($"Redis {status.Endpoint} reachable; this replica is {status.ReplicaId}.", data)
            : HealthCheckResult.Degraded(status.Description, data: data));
    }

    public static void Register(IServiceCollection services) =>
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: [HealthEndpoints.ReadyTag]);
}

/// <summary>What the Backends page and <c>/readyz</c> say about the coordination.</summary>
public sealed record ScaleOutStatus(string Endpoint, string ReplicaId, bool Connected, long EventsNotShared)
{
    public string Description => Connected
        ? $"Redis {Endpoint} reachable: runs and streams are shared with the other replicas."
        : $"Redis {Endpoint} unreachable: this replica serves what it has, takes over no run or stream, and follows none past its lease; it recovers when Redis is back."
          + (EventsNotShared > 0 ? $" {EventsNotShared:N0} events could not be shared." : "");

    public static ScaleOutStatus Of(RedisCoordinator redis, RedisEventStream events) =>
        new(redis.Endpoint, redis.ReplicaId, redis.IsConnected, events.NotShared);
}
