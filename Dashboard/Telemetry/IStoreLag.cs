namespace Dashboard.Telemetry;

/// <summary>
/// Events published but not yet written by the history store. The store implements it when it
/// exists; until then <c>dashboard.store.lag</c> reports 0 (nothing is waiting for a store).
/// </summary>
public interface IStoreLag
{
    long EventsBehind { get; }
}
