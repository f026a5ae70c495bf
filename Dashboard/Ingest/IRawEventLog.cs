namespace Dashboard.Ingest;

/// <summary>The raw stream inspector: recent raw SSE items per backend, bounded (like a browser's EventStream tab).</summary>
public interface IRawEventLog
{
    bool HasBackend(string backend);

    /// <summary>The newest <paramref name="limit"/> items, oldest first.</summary>
    IReadOnlyList<RawEventRecord> Recent(string backend, int limit);

    /// <summary>Items with <see cref="RawEventRecord.Seq"/> greater than <paramref name="afterSeq"/>, oldest first (a paused view catches up from here).</summary>
    IReadOnlyList<RawEventRecord> After(string backend, long afterSeq, int limit);

    /// <summary>Items that fell out of the ring for this backend (shown as "older events dropped").</summary>
    long Evicted(string backend);
}

/// <param name="Seq">Per-backend sequence, from 1.</param>
/// <param name="Data">Secrets redacted; cut to the configured size (<paramref name="DataTruncated"/>).</param>
/// <param name="Note">What happened to it: null (decoded), "decode error: …", "oversized: dropped", …</param>
public sealed record RawEventRecord(
    long Seq,
    string Type,
    string Id,
    string Data,
    bool DataTruncated,
    DateTimeOffset ReceivedAt,
    string? Note);
