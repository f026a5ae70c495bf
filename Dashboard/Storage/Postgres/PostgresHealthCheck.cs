using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dashboard.Storage.Postgres;

/// <summary>
/// Readiness detail of the PostgreSQL history: its database unreachable makes the replica degraded,
/// never unready (pages and the live hub go on from memory; the writer keeps what it holds and
/// retries with backoff). Other providers have nothing to say here.
/// </summary>
internal sealed class PostgresHealthCheck(IHistoryStore store) : IHealthCheck
{
    public const string Name = "history";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (store is not PostgresHistoryStore postgres)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"History: {store.Provider}."));
        }

        var behind = postgres.Behind;
        var data = new Dictionary<string, object>
        {
            ["provider"] = store.Provider,
            ["location"] = postgres.Location ?? "",
            ["behind"] = behind is not null,
            ["waiting"] = behind?.Waiting ?? 0,
            ["dropped"] = store.DroppedEvents,
        };
        return Task.FromResult(behind is null
            ? HealthCheckResult.Healthy($"History: PostgreSQL {postgres.Location} reachable.", data)
            : HealthCheckResult.Degraded(behind.Description, data: data));
    }
}
