namespace Dashboard.Storage;

/// <summary>
/// Several replicas on one database: whether a run left in flight is followed by another live
/// replica, so that a replica starting up neither ends it nor follows it a second time.
/// </summary>
public interface IInFlightOwnership
{
    /// <summary>True when another replica holds the run, and also when that cannot be known now (the safe answer).</summary>
    bool IsFollowedElsewhere(string runId);
}
