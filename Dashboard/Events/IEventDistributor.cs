using Dashboard.Domain;

namespace Dashboard.Events;

/// <summary>
/// Several replicas: the hub hands each event it would sequence to the distributor instead, which
/// numbers it once for the whole cluster and delivers it to every replica's hub (this one's too,
/// through <see cref="EventHub.ApplySequenced"/>), in one order everywhere. Without one, the hub
/// sequences on its own (one process).
/// </summary>
public interface IEventDistributor
{
    /// <summary>
    /// Publishes <paramref name="e"/> (already redacted and held to its budgets) to every replica.
    /// Returns its cluster-wide sequence once this replica's hub has applied it, or 0 when it could
    /// not be published (the coordinator unreachable: counted, never waited on indefinitely).
    /// </summary>
    long Distribute(DashboardEvent e);
}
