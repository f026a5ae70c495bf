using Dashboard.Configuration;
using Dashboard.Domain;

namespace Dashboard.LiveApi;

/// <summary>Which events a subscriber wants: some backends (none given: all) and/or one run.</summary>
public sealed class LiveFilter
{
    public static readonly LiveFilter All = new(null, null);

    private readonly HashSet<string>? _backends;

    public LiveFilter(IEnumerable<string>? backends, string? runId)
    {
        var names = backends?.Where(b => !string.IsNullOrEmpty(b)).ToArray();
        _backends = names is { Length: > 0 } ? new HashSet<string>(names, BackendNames.Comparer) : null;
        RunId = string.IsNullOrEmpty(runId) ? null : runId;
    }

    public string? RunId { get; }

    /// <summary>True when only one run's events are wanted (backend-wide events are then left out).</summary>
    public bool IsRunOnly => RunId is not null;

    public bool AcceptsBackend(string backend) => _backends is null || _backends.Contains(backend);

    public bool AcceptsRun(string backend, string runId) =>
        AcceptsBackend(backend) && (RunId is null || string.Equals(RunId, runId, StringComparison.Ordinal));

    public bool Accepts(DashboardEvent e) => e is RunEvent r
        ? AcceptsRun(r.Backend, r.RunId)
        : !IsRunOnly && AcceptsBackend(e.Backend);
}
