namespace Dashboard.Events;

/// <summary>
/// The replay log behind the live event API: every published event, in sequence order, within a
/// bounded window. A live-API subscriber reads it at its own pace (it lags, it never loses), so a
/// cursor (the last sequence a client saw) resumes exactly where it stopped while the event is
/// still in the window. Any store that keeps the hub's sequences can serve it (in memory, SQLite).
/// </summary>
public interface IEventReplay
{
    /// <summary>Identifies this log: a cursor is only meaningful to the instance that issued it.</summary>
    string Instance { get; }

    /// <summary>Sequence of the newest event in the log (0 before the first).</summary>
    long LastSequence { get; }

    /// <summary>Sequence of the oldest event still replayable; <see cref="LastSequence"/> + 1 when the log is empty.</summary>
    long FirstSequence { get; }

    /// <summary>
    /// The events after <paramref name="cursor"/> in order, at most <paramref name="max"/> (empty when
    /// none is newer), and whether events the cursor's holder should have received are gone.
    /// Sequences may jump (a durable store reserves them in blocks, so a restart skips numbers
    /// nobody used): a jump alone is not a miss.
    /// </summary>
    ValueTask<ReplayRead> ReadAfterAsync(long cursor, int max, CancellationToken cancellationToken);

    /// <summary>Completes once an event after <paramref name="cursor"/> can be read (at once if one already can).</summary>
    Task WaitAsync(long cursor, CancellationToken cancellationToken);
}

/// <param name="Events">In sequence order.</param>
/// <param name="Missed">
/// True when events published after the cursor (before the first of <paramref name="Events"/>) are no
/// longer available: left the window, or dropped by the store. The reader must then say so (a gap).
/// </param>
public readonly record struct ReplayRead(IReadOnlyList<SequencedEvent> Events, bool Missed);

/// <summary>
/// Sees every event the hub publishes, in order, under the hub's lock: it must be quick and must
/// not throw (ingest waits on it).
/// </summary>
public interface IEventRecorder
{
    void Record(in SequencedEvent item);

    /// <summary>Called once by the hub before any event: the sequence it continues after (the history store's durable start).</summary>
    void StartAfter(long sequence)
    {
    }
}
