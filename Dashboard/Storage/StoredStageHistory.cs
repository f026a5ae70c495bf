using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.State;

namespace Dashboard.Storage;

/// <summary>
/// Stage durations of a backend's last <see cref="BasisRuns"/> completed runs, read from the
/// history store, so the time-remaining estimate has the same basis after a restart. Read at most
/// once per <see cref="Refresh"/> per backend: a page asks on every render.
/// </summary>
public sealed class StoredStageHistory(IHistoryStore store, TimeProvider clock) : IStageHistory
{
    /// <summary>Completed runs an estimate is based on at most (the newest).</summary>
    public const int BasisRuns = 50;

    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, (DateTimeOffset Read, Dictionary<string, List<TimeSpan>> ByStage)> _cache = new(BackendNames.Comparer);

    public IReadOnlyList<TimeSpan> RemainingFrom(string backend, string stage)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            if (_cache.TryGetValue(backend, out var cached) && now - cached.Read < Refresh)
            {
                return cached.ByStage.GetValueOrDefault(stage) ?? [];
            }
        }

        var byStage = Read(backend);
        lock (_gate)
        {
            _cache[backend] = (now, byStage);
        }

        return byStage.GetValueOrDefault(stage) ?? [];
    }

    private Dictionary<string, List<TimeSpan>> Read(string backend)
    {
        var byStage = new Dictionary<string, List<TimeSpan>>(StringComparer.Ordinal);
        var page = store.QueryEnded(new RunQuery { Backends = [backend], Statuses = [RunStatus.Completed], Limit = BasisRuns });
        foreach (var item in page.Items)
        {
            // The list holds summaries; the timeline is in the full run.
            if (store.FindRun(item.Run.Id) is not { EndedAt: { } end, TimelineTruncated: false } run)
            {
                continue;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in run.Timeline)
            {
                if (seen.Add(entry.Stage))
                {
                    var left = end - entry.At;
                    (byStage.TryGetValue(entry.Stage, out var list) ? list : byStage[entry.Stage] = []).Add(left > TimeSpan.Zero ? left : TimeSpan.Zero);
                }
            }
        }

        return byStage;
    }
}
