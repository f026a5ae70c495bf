namespace Dashboard.Backends;

/// <summary>
/// Who may follow a stream or a run when several replicas share one history (scale-out). Without
/// it (one process) every stream and run is this process's own. With it, exactly one replica holds
/// each lease: it follows while it holds it and stops the moment it no longer can be sure it does.
/// </summary>
public interface IFollowLeases
{
    /// <summary>Waits until this replica holds <paramref name="key"/>; cancelled only by <paramref name="cancellationToken"/>.</summary>
    Task<IFollowLease> AcquireAsync(string key, CancellationToken cancellationToken);

    /// <summary>Takes <paramref name="key"/> now if it is free; null when another replica holds it or the coordinator is unreachable.</summary>
    Task<IFollowLease?> TryAcquireAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="TryAcquireAsync"/> for callers that cannot await (starting a run answers at once);
    /// bounded by the coordinator's own short timeouts.
    /// </summary>
    IFollowLease? TryAcquire(string key);
}

/// <summary>A held lease, renewed in the background. Dispose it to release it at once.</summary>
public interface IFollowLease : IAsyncDisposable
{
    string Key { get; }

    /// <summary>Cancelled when the lease could not be renewed in time (or was taken): stop following.</summary>
    CancellationToken Lost { get; }
}

public static class FollowLeaseKeys
{
    public static string Stream(string backend) => "stream:" + backend.ToLowerInvariant();

    public static string Run(string runId) => "run:" + runId;
}
