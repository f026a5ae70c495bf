using Dashboard.Configuration;
using Dashboard.Domain;
using Microsoft.Extensions.Options;

namespace Dashboard.State;

/// <summary>
/// The shared projections (one instance for the whole app). <see cref="Apply"/> is called by the
/// hub in sequence order from one thread at a time; readers take a private lock only long enough
/// to return a cached immutable view, rebuilt when the thing it shows changed since the last read.
/// </summary>
public sealed class DashboardState : IDashboardState
{
    /// <summary>Timeline entries kept per run; older ones are dropped and the view says so.</summary>
    public const int MaxTimelineEntries = 1000;

    /// <summary>Reconnect markers kept per run (the newest); the view still counts them all.</summary>
    public const int MaxReconnectMarkers = 100;

    /// <summary>Tool calls tracked per run; later ones are ignored (counted).</summary>
    public const int MaxToolCallsPerRun = 1000;

    private readonly Lock _sync = new();
    private readonly LimitsOptions _limits;

    private readonly Dictionary<string, GraphState> _graphs = new(StringComparer.Ordinal);
    private readonly List<GraphState> _graphOrder = [];
    private GraphView[]? _graphList;

    private readonly Dictionary<string, RunState> _runs = new(StringComparer.Ordinal);
    private readonly LinkedList<RunState> _runOrder = new(); // oldest created first
    private RunView[]? _runList;

    private readonly Dictionary<string, int> _backendIndex = new(StringComparer.Ordinal);
    private readonly List<BackendHealth> _backends = [];
    private BackendHealth[]? _backendList;

    private long _lastSequence;
    private long _unknownRunEvents;
    private long _ignoredEvents;
    private long _evictedRuns;

    private readonly IRunArchive? _archive;

    public DashboardState(IOptions<DashboardOptions> options)
    {
        _limits = options.Value.Limits;
    }

    /// <summary>With an archive: a run no longer (or not yet again, after a restart) in memory is looked up there.</summary>
    public DashboardState(IOptions<DashboardOptions> options, IRunArchive archive)
        : this(options)
    {
        _archive = archive;
    }

    /// <summary>Sequence of the last event applied (the hub's sequence).</summary>
    public long LastSequence => Interlocked.Read(ref _lastSequence);

    /// <summary>Run events whose run id is not (or no longer) known.</summary>
    public long UnknownRunEvents => Interlocked.Read(ref _unknownRunEvents);

    /// <summary>Events that could not apply: late events for a finished run, duplicate creations, invalid end states, tool calls over the bound.</summary>
    public long IgnoredEvents => Interlocked.Read(ref _ignoredEvents);

    /// <summary>Runs removed to stay within Dashboard:Limits:MaxRuns.</summary>
    public long EvictedRuns => Interlocked.Read(ref _evictedRuns);

    public IReadOnlyList<GraphView> Graphs
    {
        get
        {
            lock (_sync)
            {
                return _graphList ??= _graphOrder.Select(g => g.View()).ToArray();
            }
        }
    }

    public GraphView? GetGraph(string backend)
    {
        lock (_sync)
        {
            return _graphs.TryGetValue(backend, out var g) ? g.View() : null;
        }
    }

    public IReadOnlyList<RunView> Runs
    {
        get
        {
            lock (_sync)
            {
                if (_runList is null)
                {
                    var list = new RunView[_runOrder.Count];
                    var i = 0;
                    for (var node = _runOrder.Last; node is not null; node = node.Previous)
                    {
                        list[i++] = node.Value.View();
                    }

                    _runList = list;
                }

                return _runList;
            }
        }
    }

    public RunView? GetRun(string runId) => GetLiveRun(runId) ?? _archive?.FindRun(runId);

    /// <summary>Only what memory holds (the hub uses it under its lock: it must never read the disk).</summary>
    public RunView? GetLiveRun(string runId)
    {
        lock (_sync)
        {
            return _runs.TryGetValue(runId, out var run) ? run.View() : null;
        }
    }

    /// <summary>Drops an ended run from memory (it was deleted); false when it is unknown here or still in flight.</summary>
    public bool Forget(string runId)
    {
        lock (_sync)
        {
            if (!_runs.TryGetValue(runId, out var run) || !run.Status.IsTerminal())
            {
                return false;
            }

            _runs.Remove(runId);
            _runOrder.Remove(run);
            _runList = null;
            return true;
        }
    }

    /// <summary>Start-up: a backend's graph as the history store last saw it, before any live event.</summary>
    public void RestoreGraph(string backend, GraphStats stats, IReadOnlyList<GraphPoint> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        lock (_sync)
        {
            if (_graphs.ContainsKey(backend) || history.Count == 0)
            {
                return;
            }

            var graph = new GraphState(backend, Math.Max(1, _limits.GraphHistoryPoints));
            graph.Restore(stats, history);
            _graphs.Add(backend, graph);
            _graphOrder.Add(graph);
            _graphList = null;
        }
    }

    /// <summary>
    /// Start-up: a run that was in flight when the dashboard last stopped, put back from its
    /// stored events (same sequences) so that it can be followed on. The hub's sequence is not touched.
    /// </summary>
    public bool Resume(IReadOnlyList<(long Sequence, DashboardEvent Event)> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events is not [(_, RunCreated created), ..])
        {
            return false;
        }

        lock (_sync)
        {
            if (_runs.ContainsKey(created.RunId))
            {
                return false;
            }

            ApplyCreated(created, events[0].Sequence);
            foreach (var item in events.Skip(1))
            {
                ApplyToRun(item.Event, item.Sequence);
            }

            return true;
        }
    }

    public IReadOnlyList<BackendHealth> Backends
    {
        get
        {
            lock (_sync)
            {
                return _backendList ??= [.. _backends];
            }
        }
    }

    public BackendHealth? GetBackend(string name)
    {
        lock (_sync)
        {
            return _backendIndex.TryGetValue(name, out var i) ? _backends[i] : null;
        }
    }

    /// <summary>Folds one event. Only the hub calls this, in sequence order.</summary>
    public void Apply(DashboardEvent e, long sequence)
    {
        ArgumentNullException.ThrowIfNull(e);
        lock (_sync)
        {
            switch (e)
            {
                case GraphStatsObserved g:
                    ApplyGraph(g);
                    break;
                case BackendHealthChanged b:
                    ApplyBackend(b.Health);
                    break;
                case RunCreated c:
                    ApplyCreated(c, sequence);
                    break;
                default:
                    ApplyToRun(e, sequence);
                    break;
            }

            Interlocked.Exchange(ref _lastSequence, sequence);
        }
    }

    private void ApplyGraph(GraphStatsObserved e)
    {
        if (!_graphs.TryGetValue(e.Backend, out var graph))
        {
            graph = new GraphState(e.Backend, Math.Max(1, _limits.GraphHistoryPoints));
            _graphs.Add(e.Backend, graph);
            _graphOrder.Add(graph);
        }

        graph.Observe(e.Stats, e.At);
        _graphList = null;
    }

    private void ApplyBackend(BackendHealth health)
    {
        if (_backendIndex.TryGetValue(health.Name, out var i))
        {
            _backends[i] = health;
        }
        else
        {
            _backendIndex.Add(health.Name, _backends.Count);
            _backends.Add(health);
        }

        _backendList = null;
    }

    private void ApplyCreated(RunCreated e, long sequence)
    {
        if (_runs.ContainsKey(e.RunId))
        {
            Interlocked.Increment(ref _ignoredEvents);
            return;
        }

        while (_runs.Count >= Math.Max(1, _limits.MaxRuns))
        {
            Evict();
        }

        var run = new RunState(e, sequence, Math.Max(0, _limits.MaxRunTextChars), _limits);
        _runOrder.AddLast(run);
        _runs.Add(e.RunId, run);
        _runList = null;
    }

    // Oldest finished run first; a live run only when every kept run is live (then the oldest).
    private void Evict()
    {
        var victim = _runOrder.First!;
        for (var node = _runOrder.First; node is not null; node = node.Next)
        {
            if (node.Value.Status.IsTerminal())
            {
                victim = node;
                break;
            }
        }

        _runOrder.Remove(victim);
        _runs.Remove(victim.Value.Id);
        Interlocked.Increment(ref _evictedRuns);
    }

    private void ApplyToRun(DashboardEvent e, long sequence)
    {
        var runId = (e as RunEvent)?.RunId;
        if (runId is null)
        {
            Interlocked.Increment(ref _ignoredEvents);
            return;
        }

        if (!_runs.TryGetValue(runId, out var run))
        {
            Interlocked.Increment(ref _unknownRunEvents);
            return;
        }

        if (!run.Apply(e))
        {
            Interlocked.Increment(ref _ignoredEvents);
            return;
        }

        run.Touch(sequence);
        _runList = null;
    }
}
