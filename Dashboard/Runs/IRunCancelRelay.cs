namespace Dashboard.Runs;

/// <summary>Several replicas: passes a cancel to the replica that follows the run.</summary>
public interface IRunCancelRelay
{
    /// <summary>True when the request went out to the replicas (the follower cancels the run as if asked locally).</summary>
    Task<bool> RequestAsync(string runId, CancellationToken cancellationToken);
}
