using Dashboard.Domain;

namespace Dashboard.State;

/// <summary>One backend's graph projection; mutated and read under <see cref="DashboardState"/>'s lock.</summary>
internal sealed class GraphState(string backend, int historyPoints)
{
    private readonly Queue<GraphPoint> _history = new();
    private GraphStats? _stats;
    private int? _edges;
    private double? _avgEntanglement;
    private DateTimeOffset _updatedAt;
    private DateTimeOffset? _edgesUpdatedAt;
    private bool _historyTruncated;
    private GraphView? _view;

    public void Observe(GraphStats stats, DateTimeOffset at)
    {
        _stats = stats;
        // Streamed updates carry no edge data: keep what the last full snapshot said.
        _edges = stats.Edges ?? _edges;
        _avgEntanglement = stats.AvgEntanglement ?? _avgEntanglement;
        _updatedAt = at;
        if (stats.Edges is not null || stats.AvgEntanglement is not null)
        {
            _edgesUpdatedAt = at;
        }

        if (_history.Count >= historyPoints)
        {
            _history.Dequeue();
            _historyTruncated = true;
        }

        _history.Enqueue(new GraphPoint(at, stats.Nodes));
        _view = null;
    }

    /// <summary>The last stats and the newest points of a stored history (the oldest beyond the bound are dropped).</summary>
    public void Restore(GraphStats stats, IReadOnlyList<GraphPoint> history)
    {
        var skip = Math.Max(0, history.Count - historyPoints);
        _historyTruncated = skip > 0;
        for (var i = skip; i < history.Count; i++)
        {
            _history.Enqueue(history[i]);
        }

        _stats = stats;
        _edges = stats.Edges;
        _avgEntanglement = stats.AvgEntanglement;
        _updatedAt = history[^1].At;
        _edgesUpdatedAt = stats.Edges is not null || stats.AvgEntanglement is not null ? _updatedAt : null;
        _view = null;
    }

    public GraphView View() => _view ??= new GraphView(
        backend,
        _stats!.Nodes,
        _edges,
        _avgEntanglement,
        _stats.Tiers,
        _stats.Types,
        _updatedAt,
        _history.ToArray(),
        _historyTruncated)
    {
        EdgesUpdatedAt = _edgesUpdatedAt,
    };
}
