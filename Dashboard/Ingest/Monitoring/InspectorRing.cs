namespace Dashboard.Ingest.Monitoring;

/// <summary>
/// A ring of raw items for one backend, bounded by count and by the memory its strings hold
/// (2 bytes a char): when either bound is hit the oldest items fall out. Not thread-safe: the
/// owning monitor locks. Items are kept as values in the ring's own array (an item arriving costs
/// no object of its own) and become <see cref="RawEventRecord"/>s when read; their seqs are
/// consecutive, so an item's seq is its position.
/// </summary>
internal sealed class InspectorRing(int capacity, long maxBytes = long.MaxValue)
{
    private readonly Slot[] _slots = new Slot[Math.Max(1, capacity)];
    private int _next;
    private int _count;

    public long LastSeq { get; private set; }

    public long Evicted { get; private set; }

    public long NextSeq => LastSeq + 1;

    /// <summary>Memory held by the kept items' strings.</summary>
    public long Bytes { get; private set; }

    /// <summary>Adds an item as <see cref="NextSeq"/> and returns that seq; the oldest fall out when full.</summary>
    public long Add(string type, string id, string data, bool truncated, DateTimeOffset at, string? note)
    {
        var record = new Slot(type, id, data, truncated, at, note);
        LastSeq++;
        var size = SizeOf(record);
        while (_count > 0 && (_count == _slots.Length || Bytes + size > maxBytes))
        {
            RemoveOldest();
        }

        _count++;
        Bytes += size;
        _slots[_next] = record;
        _next = (_next + 1) % _slots.Length;
        return LastSeq;
    }

    /// <summary>Sets the note of the item with <paramref name="seq"/> if it is still in the ring.</summary>
    public void SetNote(long seq, string note)
    {
        var back = LastSeq - seq;
        if (back < 0 || back >= _count)
        {
            return;
        }

        var index = (int)((_next - 1 - back + _slots.Length) % _slots.Length);
        var before = _slots[index];
        var after = before with { Note = note };
        Bytes += SizeOf(after) - SizeOf(before);
        _slots[index] = after;
    }

    public List<RawEventRecord> Recent(int limit)
    {
        var take = Math.Clamp(limit, 0, _count);
        return Slice(_count - take, take);
    }

    public List<RawEventRecord> After(long afterSeq, int limit)
    {
        var oldestSeq = LastSeq - _count + 1;
        var skip = (int)Math.Clamp(afterSeq - oldestSeq + 1, 0, _count);
        return Slice(skip, Math.Clamp(limit, 0, _count - skip));
    }

    private static long SizeOf(in Slot record) =>
        2L * (record.Type.Length + record.Id.Length + record.Data.Length + (record.Note?.Length ?? 0));

    private void RemoveOldest()
    {
        var oldest = (_next - _count + _slots.Length) % _slots.Length;
        Bytes -= SizeOf(_slots[oldest]);
        _slots[oldest] = default;
        _count--;
        Evicted++;
    }

    // Items from position `skip` (0 = oldest kept), oldest first.
    private List<RawEventRecord> Slice(int skip, int take)
    {
        var result = new List<RawEventRecord>(take);
        var oldest = (_next - _count + _slots.Length) % _slots.Length;
        var oldestSeq = LastSeq - _count + 1;
        for (var i = 0; i < take; i++)
        {
            var slot = _slots[(oldest + skip + i) % _slots.Length];
            result.Add(new RawEventRecord(oldestSeq + skip + i, slot.Type, slot.Id, slot.Data, slot.Truncated, slot.At, slot.Note));
        }

        return result;
    }

    private readonly record struct Slot(string Type, string Id, string Data, bool Truncated, DateTimeOffset At, string? Note);
}
