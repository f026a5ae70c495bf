using Dashboard.Events;
using Dashboard.Storage;

namespace Dashboard.LiveApi;

/// <summary>
/// The replay log of a durable history store: a cursor resumes across a restart of this
/// dashboard (same store, same instance) and a slow client that the in-memory ring has left
/// behind still catches up from disk. Recent events are read from the ring (no disk, no wait);
/// older ones from the store, which keeps the hub's sequences. The store reserves sequences in
/// blocks, so numbers jump after a restart: only the store's window and its dropped ranges say
/// whether a client missed anything.
/// </summary>
public sealed class StoredEventReplay : IEventReplay
{
    /// <summary>How stale the store's window start may be before a read of it refreshes it (retention moves it slowly).</summary>
    private static readonly TimeSpan WindowRefresh = TimeSpan.FromSeconds(10);

    private readonly InMemoryEventReplay _recent;
    private readonly IHistoryStore _store;
    private readonly TimeProvider _clock;
    private readonly Task _loaded;
    private long _storedFirst = long.MaxValue;
    private long _refreshedAt;
    private int _refreshing;

    public StoredEventReplay(InMemoryEventReplay recent, IHistoryStore store, TimeProvider clock)
    {
        _recent = recent;
        _store = store;
        _clock = clock;
        _loaded = RefreshAsync();
    }

    public string Instance => _store.InstanceId;

    public long LastSequence => _recent.LastSequence;

    public long FirstSequence
    {
        get
        {
            if (!_loaded.IsCompleted)
            {
                // Once, at the first subscriber after start: the window must be known before a cursor is judged.
                _loaded.GetAwaiter().GetResult();
            }
            else if (_clock.GetTimestamp() - Interlocked.Read(ref _refreshedAt) > WindowRefresh.TotalSeconds * _clock.TimestampFrequency
                && Interlocked.Exchange(ref _refreshing, 1) == 0)
            {
                _ = RefreshAsync();
            }

            return Math.Min(Interlocked.Read(ref _storedFirst), _recent.FirstSequence);
        }
    }

    public async ValueTask<ReplayRead> ReadAfterAsync(long cursor, int max, CancellationToken cancellationToken)
    {
        if (_recent.Covers(cursor))
        {
            return await _recent.ReadAfterAsync(cursor, max, cancellationToken);
        }

        var page = await _store.ReplayAsync(cursor, max, cancellationToken);
        Remember(page.FirstSequence);
        if (page.Events.Count == 0)
        {
            // Every event the ring holds was queued to the store before the ring saw it: if the
            // store has nothing after the cursor, what the ring has past its window was lost.
            return await _recent.ReadAfterAsync(cursor, max, cancellationToken);
        }

        return new ReplayRead(page.Events, page.Gap || cursor < page.FirstSequence - 1);
    }

    public Task WaitAsync(long cursor, CancellationToken cancellationToken) => _recent.WaitAsync(cursor, cancellationToken);

    private async Task RefreshAsync()
    {
        try
        {
            // After the newest possible sequence: reads no event, only the window.
            var page = await _store.ReplayAsync(long.MaxValue - 1, 1);
            Remember(page.FirstSequence);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or System.Data.Common.DbException)
        {
            // A store that is closing keeps the last known window; the ring still answers.
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    private void Remember(long first)
    {
        Interlocked.Exchange(ref _storedFirst, first);
        Interlocked.Exchange(ref _refreshedAt, _clock.GetTimestamp());
    }
}
