namespace Dashboard.Storage;

/// <summary>
/// How the SQLite store's single writer kept up since it opened: what a soak reports next to the
/// events it dropped, to tell a writer that is too slow from one that was held up now and then.
/// </summary>
/// <param name="Batches">Write transactions committed.</param>
/// <param name="LongestBatch">The longest write transaction, from its BEGIN to its COMMIT.</param>
/// <param name="LongestBegin">The longest wait for the write lock at a batch's BEGIN.</param>
/// <param name="PeakQueuedEvents">The most events waiting for the writer at once.</param>
/// <param name="PeakQueuedBytes">The most estimated bytes of events waiting for the writer at once (the queue's bound is in these).</param>
/// <param name="RetentionSlices">Retention statements run (each its own short transaction).</param>
/// <param name="LongestRetentionSlice">The longest of them.</param>
/// <param name="LongestRetentionPass">The longest retention pass, from its request to its last slice.</param>
/// <param name="Checkpoints">Checkpoints of the write-ahead log, made beside the writer.</param>
/// <param name="LongestCheckpoint">The longest of them.</param>
public sealed record SqliteWriterStats(
    long Batches,
    TimeSpan LongestBatch,
    TimeSpan LongestBegin,
    long PeakQueuedEvents,
    long PeakQueuedBytes,
    long RetentionSlices,
    TimeSpan LongestRetentionSlice,
    TimeSpan LongestRetentionPass,
    long Checkpoints,
    TimeSpan LongestCheckpoint)
{
    /// <summary>Raises a peak or longest figure that several threads may update to <paramref name="value"/>, if it is higher.</summary>
    internal static void RaiseTo(ref long peak, long value)
    {
        var seen = Interlocked.Read(ref peak);
        while (value > seen)
        {
            var was = Interlocked.CompareExchange(ref peak, value, seen);
            if (was == seen)
            {
                return;
            }

            seen = was;
        }
    }

    public string Describe() =>
        $"{Batches:N0} write batches (longest {LongestBatch.TotalMilliseconds:N0} ms, longest wait for the lock {LongestBegin.TotalMilliseconds:N0} ms); " +
        $"peak queue {PeakQueuedEvents:N0} events / {PeakQueuedBytes / 1048576.0:N1} MB; " +
        $"{RetentionSlices:N0} retention slices (longest {LongestRetentionSlice.TotalMilliseconds:N0} ms), longest retention pass {LongestRetentionPass.TotalSeconds:N1} s; " +
        $"{Checkpoints:N0} checkpoints beside the writer (longest {LongestCheckpoint.TotalMilliseconds:N0} ms)";
}
