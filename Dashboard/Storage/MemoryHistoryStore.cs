using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.State;

namespace Dashboard.Storage;

/// <summary>
/// History off (<c>Dashboard:Storage:Provider=memory</c>): nothing survives a restart. Ended runs
/// and graph points are kept only within the in-memory bounds, and a short tail of events for
/// replay. The sequence starts from the start time in microseconds, so a cursor from an earlier
/// process is always older than anything this one publishes and never collides.
/// </summary>
public sealed class MemoryHistoryStore : IHistoryStore
{
    /// <summary>Events kept for replay.</summary>
    public const int ReplayCapacity = 65_536;

    /// <summary>Memory the kept events may hold (an upstream's large fields must not multiply by the count).</summary>
    public const long ReplayBytes = 64L * 1024 * 1024;

    private readonly Lock _gate = new();
    private readonly int _maxRuns;
    private readonly int _graphPoints;
    private readonly Queue<SequencedEvent> _events = new();
    private long _eventBytes;
    private readonly Dictionary<string, RunView> _runs = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _runOrder = new();
    private readonly HashSet<string> _pinned = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (GraphStats Stats, Queue<GraphPoint> Points)> _graphs = new(StringComparer.Ordinal);
    private long _last;
    private long _evicted;
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public MemoryHistoryStore(TimeProvider clock, int maxRuns, int graphPoints)
    {
        ArgumentNullException.ThrowIfNull(clock);
        StartAfter = _last = clock.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
        _maxRuns = Math.Max(1, maxRuns);
        _graphPoints = Math.Max(1, graphPoints);
    }

    public void SaveValue(string key, string value)
    {
        lock (_gate)
        {
            _values[key] = value;
        }
    }

    public string? ReadValue(string key)
    {
        lock (_gate)
        {
            return _values.GetValueOrDefault(key);
        }
    }

    public string Provider => StorageOptions.Memory;

    public bool IsDurable => false;

    public string? Location => null;

    public string InstanceId { get; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    public long StartAfter { get; }

    public long DroppedEvents => 0;

    public IReadOnlyList<string> InterruptedAtStart => [];

    public IReadOnlyList<InFlightRun> ResumableAtStart => [];

    public long NextSequence() => ++_last;

    public void Record(in SequencedEvent item)
    {
        lock (_gate)
        {
            var size = EventSize.Estimate(item.Event);
            while (_events.Count > 0 && (_events.Count >= ReplayCapacity || _eventBytes + size > ReplayBytes))
            {
                _eventBytes -= EventSize.Estimate(_events.Dequeue().Event);
                _evicted++;
            }

            _events.Enqueue(item);
            _eventBytes += size;
            if (item.Event is GraphStatsObserved g)
            {
                if (!_graphs.TryGetValue(g.Backend, out var graph))
                {
                    graph = (g.Stats, new Queue<GraphPoint>());
                }

                if (graph.Points.Count >= _graphPoints)
                {
                    graph.Points.Dequeue();
                }

                graph.Points.Enqueue(new GraphPoint(g.At, g.Stats.Nodes));
                _graphs[g.Backend] = (g.Stats, graph.Points);
            }
        }
    }

    public void SaveRun(RunView run)
    {
        ArgumentNullException.ThrowIfNull(run);
        lock (_gate)
        {
            if (!_runs.ContainsKey(run.Id))
            {
                _runOrder.AddLast(run.Id);
            }

            _runs[run.Id] = run;
            while (_runs.Count > _maxRuns && _runOrder.First is { } oldest)
            {
                _runOrder.RemoveFirst();
                _runs.Remove(oldest.Value);
                _pinned.Remove(oldest.Value);
            }
        }
    }

    public Task FlushAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public RunView? FindRun(string runId)
    {
        lock (_gate)
        {
            return _runs.GetValueOrDefault(runId);
        }
    }

    public RunPage QueryEnded(RunQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var words = SearchText.Words(query.Text);
        List<RunView> all;
        lock (_gate)
        {
            all = [.. _runs.Values.Where(r => r.Status.IsTerminal())];
        }

        var matching = all.Where(r => RunFilter.Matches(r, query, words)).Order(RunFilter.Order(query.Sort)).Take(query.Limit + 1).ToList();
        var next = matching.Count > query.Limit
            ? new RunCursor(query.Sort, RunFilter.Key(matching[query.Limit - 1], query.Sort), matching[query.Limit - 1].Id)
            : null;
        return new RunPage(
            [.. matching.Take(query.Limit).Select(r => new RunListItem(r, words.Count > 0 ? SearchText.Snippet(r, words) : null, IsPinned(r.Id)))],
            next);
    }

    public bool DeleteRun(string runId)
    {
        lock (_gate)
        {
            _pinned.Remove(runId);
            return _runs.Remove(runId) && _runOrder.Remove(runId);
        }
    }

    public IReadOnlyList<string> ClearEnded()
    {
        lock (_gate)
        {
            var ids = _runs.Values.Where(r => r.Status.IsTerminal() && !_pinned.Contains(r.Id)).Select(r => r.Id).ToList();
            foreach (var id in ids)
            {
                _runs.Remove(id);
                _runOrder.Remove(id);
            }

            return ids;
        }
    }

    public bool SetPinned(string runId, bool pinned)
    {
        lock (_gate)
        {
            if (!_runs.ContainsKey(runId))
            {
                return false;
            }

            _ = pinned ? _pinned.Add(runId) : _pinned.Remove(runId);
            return true;
        }
    }

    public bool IsPinned(string runId)
    {
        lock (_gate)
        {
            return _pinned.Contains(runId);
        }
    }

    public IReadOnlyList<GraphPoint> GraphHistory(string backend, DateTimeOffset since, int maxPoints)
    {
        lock (_gate)
        {
            return _graphs.TryGetValue(backend, out var graph) ? GraphDownsampling.Downsample([.. graph.Points.Where(p => p.At >= since)], maxPoints) : [];
        }
    }

    public IReadOnlyList<StoredGraph> LatestGraphs(int points) => [];

    public Task<EventReplay> ReplayAsync(long after, int max, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var first = _events.Count > 0 ? _events.Peek().Sequence : _last + 1;
            var events = _events.Where(e => e.Sequence > after).Take(Math.Max(0, max)).ToArray();
            return Task.FromResult(new EventReplay(events, InstanceId, _last, first, Gap: false));
        }
    }

    public RetentionResult EnforceRetention(DateTimeOffset now) => new(0, 0, 0);

    public void Dispose()
    {
    }
}
