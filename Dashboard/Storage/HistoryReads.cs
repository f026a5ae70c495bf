using System.Diagnostics;

namespace Dashboard.Storage;

/// <summary>How readers wait for the writer ("read your writes") without ever waiting on an outage.</summary>
public static class HistoryReads
{
    /// <summary>How long a page or an API call waits for events queued a moment ago to be written before it reads.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan Look = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Waits until everything queued so far is written, for at most <paramref name="patience"/>
    /// (<see cref="Patience"/> by default; <see cref="Timeout.InfiniteTimeSpan"/> for no bound), and not at
    /// all once the store says its database is unreachable. False when it did not catch up: the
    /// newest events may be missing from what the store returns (memory has them).
    /// </summary>
    public static async Task<bool> CatchUpAsync(this IHistoryStore store, TimeSpan? patience = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var bound = patience ?? Patience;
        var flushed = store.FlushAsync(cancellationToken);
        var waited = Stopwatch.StartNew();
        while (!flushed.IsCompleted)
        {
            if (store.Behind is not null || (bound != Timeout.InfiniteTimeSpan && waited.Elapsed >= bound))
            {
                return false;
            }

            await Task.WhenAny(flushed, Task.Delay(Look, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }

        await flushed;
        return true;
    }
}
