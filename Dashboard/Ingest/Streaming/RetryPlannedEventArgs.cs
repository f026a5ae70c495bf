namespace Dashboard.Ingest.Streaming;

/// <summary>A reconnect the runner is about to wait for (diagnostics and tests observe the exact delay).</summary>
public sealed class RetryPlannedEventArgs(string backend, int nextAttempt, TimeSpan delay, string reason) : EventArgs
{
    public string Backend { get; } = backend;

    public int NextAttempt { get; } = nextAttempt;

    public TimeSpan Delay { get; } = delay;

    public string Reason { get; } = reason;
}
