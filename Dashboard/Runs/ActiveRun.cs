using Dashboard.Backends;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.State;

namespace Dashboard.Runs;

/// <summary>
/// A run in flight and the sink its client publishes through. It lets exactly one
/// <see cref="RunEnded"/> through and nothing of the run after it, so a run ends once and a
/// cancelled run stays cancelled even when the aborted client reports a failure on its way out.
/// </summary>
internal sealed class ActiveRun : IDomainEventSink
{
    private readonly IDomainEventSink _inner;
    private readonly Action<ActiveRun> _onEnded;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _cancellation = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _ended;
    private bool _cancelling;
    private bool _detached;

    // Stage reports the run already showed before a restart; see Publish.
    private readonly List<(string Stage, StageStatus Status, string? Message, double? Progress)> _shown = [];

    public ActiveRun(string id, BackendEntry backend, RunRequest request, string? parentUpstreamId, IDomainEventSink inner, TimeProvider clock, Action<ActiveRun> onEnded)
    {
        _onEnded = onEnded;
        Id = id;
        Backend = backend;
        _inner = inner;
        Context = new RunContext(id, request, parentUpstreamId, this, clock);
    }

    /// <summary>A run started before a restart, followed again from its upstream id; <paramref name="shown"/> is its timeline so far.</summary>
    public ActiveRun(string id, BackendEntry backend, RunRequest request, string upstreamId, IEnumerable<TimelineEntry> shown, IDomainEventSink inner, TimeProvider clock, Action<ActiveRun> onEnded)
    {
        _onEnded = onEnded;
        Id = id;
        Backend = backend;
        _inner = inner;
        Context = new RunContext(id, request, null, this, clock, upstreamId, resumed: true);
        _shown.AddRange(shown.Select(t => (t.Stage, t.Status, t.Message, t.Progress)));
    }

    public string Id { get; }

    public BackendEntry Backend { get; }

    public RunContext Context { get; }

    public CancellationToken Token => _cancellation.Token;

    /// <summary>Completes when the follower is done with the client.</summary>
    public Task Completion => _completion.Task;

    public bool Ended
    {
        get
        {
            lock (_gate)
            {
                return _ended;
            }
        }
    }

    public bool CancelRequested
    {
        get
        {
            lock (_gate)
            {
                return _cancelling;
            }
        }
    }

    /// <summary>False when the run already ended. From now on only a cancelled end is let through.</summary>
    public bool TryBeginCancel()
    {
        lock (_gate)
        {
            if (_ended)
            {
                return false;
            }

            _cancelling = true;
            return true;
        }
    }

    public void Abort() => _cancellation.Cancel();

    /// <summary>
    /// Shutdown: the dashboard stops following, the upstream run goes on. Nothing of the run is
    /// published from now on (the aborted client's failure is not the run's outcome); after a
    /// restart the history store settles it.
    /// </summary>
    public bool Detach()
    {
        lock (_gate)
        {
            if (_ended)
            {
                return false;
            }

            _detached = true;
        }

        _cancellation.Cancel();
        return true;
    }

    public bool Detached
    {
        get
        {
            lock (_gate)
            {
                return _detached;
            }
        }
    }

    public void MarkCompleted() => _completion.TrySetResult();

    public long Publish(DashboardEvent e)
    {
        // Under the lock so that nothing of the run can be sequenced after its end.
        lock (_gate)
        {
            if (e is BackendHealthChanged or GraphStatsObserved)
            {
                return _inner.Publish(e);
            }

            if (_ended || _detached || (e is RunEnded { Status: not RunStatus.Cancelled } && _cancelling))
            {
                return 0;
            }

            // An upstream followed again replays what it still holds (codegen its last events, a job
            // its current state): each stage the run already showed absorbs one such repeat, so
            // nothing is shown twice across the restart.
            if (e is RunStageReported s && _shown.Count > 0)
            {
                var index = _shown.IndexOf((s.Stage, s.Status, s.Message, s.Progress));
                if (index >= 0)
                {
                    _shown.RemoveAt(index);
                    return 0;
                }
            }

            if (e is RunEnded)
            {
                // Before the end is visible, so whoever sees it ended can start the next run.
                _ended = true;
                _onEnded(this);
            }

            return _inner.Publish(e);
        }
    }
}
