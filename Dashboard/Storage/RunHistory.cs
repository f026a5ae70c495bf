using System.Data.Common;
using Dashboard.Domain;
using Dashboard.State;

namespace Dashboard.Storage;

/// <summary>
/// Runs as the API and the pages list them: those in flight from memory (they change every
/// moment and are few), the ended ones from the store, merged into one page in one order.
/// </summary>
public sealed class RunHistory(IDashboardState state, IHistoryStore store, TimeProvider? clock = null)
{
    /// <summary>How long a run that ended in memory may wait for its row (another replica's writer is behind).</summary>
    private static readonly TimeSpan StoreLag = TimeSpan.FromMinutes(1);

    public IHistoryStore Store => store;

    public async Task<RunPage> QueryAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var words = SearchText.Words(query.Text);
        RunListItem Item(RunView r) => new(r, words.Count > 0 ? SearchText.Snippet(r, words) : null, false);
        // One read of memory for the whole merge: two reads could see a run in flight, then ended
        // and not yet stored, and list it twice.
        var inMemory = state.Runs;
        var live = inMemory
            .Where(r => !r.Status.IsTerminal() && RunFilter.Matches(r, query, words))
            .Select(Item)
            .ToList();

        // A run that ended a moment ago is in the store's queue: written first, so it is listed.
        await store.CatchUpAsync(cancellationToken: cancellationToken);
        RunPage stored;
        var recent = (clock ?? TimeProvider.System).GetUtcNow() - StoreLag;
        try
        {
            stored = store.QueryEnded(query with { Limit = query.Limit + 1 });
        }
        catch (DbException)
        {
            // The history database is away (the page says so): what memory holds is the list.
            stored = new RunPage([], null);
            recent = DateTimeOffset.MinValue;
        }

        var storedIds = stored.Items.Select(i => i.Run.Id).ToHashSet(StringComparer.Ordinal);

        // With several replicas a run that ended on another one is in this replica's memory before
        // that replica's writer has stored it: on the first page it is listed from memory until then.
        var endedNotStored = query.Before is null
            ? inMemory
                .Where(r => r.Status.IsTerminal() && r.EndedAt >= recent && !storedIds.Contains(r.Id) && RunFilter.Matches(r, query, words))
                .Select(Item)
                .ToList()
            : [];
        var liveIds = live.Select(i => i.Run.Id).ToHashSet(StringComparer.Ordinal);
        var order = RunFilter.Order(query.Sort);
        var merged = stored.Items
            .Where(i => !liveIds.Contains(i.Run.Id))
            .Concat(live)
            .Concat(endedNotStored)
            .OrderBy(i => i.Run, order)
            .ToList();
        if (merged.Count <= query.Limit && stored.Next is null)
        {
            return new RunPage(merged, null);
        }

        var page = merged.Take(query.Limit).ToList();
        var last = page[^1].Run;
        return new RunPage(page, new RunCursor(query.Sort, RunFilter.Key(last, query.Sort), last.Id));
    }

    /// <summary>
    /// Clear history: every ended run that is not pinned leaves the store and memory (runs in
    /// flight stay). Returns how many runs were deleted.
    /// </summary>
    public async Task<int> ClearAsync(CancellationToken cancellationToken = default)
    {
        // Runs that ended a moment ago are still queued: written first, so they are cleared too.
        await store.CatchUpAsync(cancellationToken: cancellationToken);
        var deleted = store.ClearEnded();
        var forgotten = 0;
        if (state is DashboardState projections)
        {
            foreach (var run in state.Runs.Where(r => r.Status.IsTerminal() && !store.IsPinned(r.Id)))
            {
                forgotten += projections.Forget(run.Id) && !deleted.Contains(run.Id) ? 1 : 0;
            }
        }

        return deleted.Count + forgotten;
    }

    /// <summary>A run in memory (live or recent) or in the store.</summary>
    public RunView? Find(string runId) => state.GetRun(runId);
}
