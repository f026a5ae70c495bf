using Dashboard.Domain;

namespace Dashboard.Ingest.Monitoring;

/// <summary>
/// The state of one open stream of a backend. A backend's state is the union of its open
/// streams' states; <see cref="Close"/> decides what it shows once none is open.
/// </summary>
public sealed class StreamTracker : IDisposable
{
    private readonly BackendMonitor _monitor;

    internal StreamTracker(BackendMonitor monitor, BackendState state)
    {
        _monitor = monitor;
        State = state;
    }

    public BackendState State { get; internal set; }

    internal bool IsClosed { get; set; }

    public void Set(BackendState state) => _monitor.SetStreamState(this, state);

    /// <param name="resting">What the backend shows when no other stream is open: Idle (ended), Failed, Stopped (cancelled).</param>
    public void Close(BackendState resting) => _monitor.CloseStream(this, resting);

    public void Dispose() => Close(BackendState.Stopped);
}
