using Dashboard.Domain;

namespace Dashboard.Events;

/// <summary>
/// The replay log in memory: a ring bounded by an event count and an estimated byte budget
/// (oldest events leave first). Its instance is random per process, so a cursor from before a
/// restart is recognised as foreign and answered with a snapshot. Within one process the hub's
/// sequences are consecutive, so a cursor below the oldest kept event means events were evicted.
/// </summary>
public sealed class InMemoryEventReplay : IEventReplay, IEventRecorder
{

    private readonly Lock _sync = new();
    private readonly SequencedEvent[] _items;
    private readonly int[] _sizes;
    private readonly long _maxBytes;
    private int _head;
    private int _count;
    private long _bytes;
    private long _last;
    private long _first = 1;
    private TaskCompletionSource _next = NewSignal();
    private int _signalTaken;

    /// <summary>Nothing before <paramref name="sequence"/> was ever published here: a cursor at it misses nothing.</summary>
    public void StartAfter(long sequence)
    {
        lock (_sync)
        {
            if (_count == 0)
            {
                Interlocked.Exchange(ref _last, sequence);
                _first = sequence + 1;
            }
        }
    }

    public InMemoryEventReplay(int maxEvents, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        _items = new SequencedEvent[maxEvents];
        _sizes = new int[maxEvents];
        _maxBytes = maxBytes;
    }

    public string Instance { get; } = Guid.NewGuid().ToString("N");

    public long LastSequence => Interlocked.Read(ref _last);

    public long FirstSequence
    {
        get
        {
            lock (_sync)
            {
                return _first;
            }
        }
    }

    /// <summary>Events currently kept (for tests and diagnostics).</summary>
    public int Count
    {
        get
        {
            lock (_sync)
            {
                return _count;
            }
        }
    }

    public void Record(in SequencedEvent item)
    {
        var size = EventSize.Estimate(item.Event);
        lock (_sync)
        {
            // The newest event is always kept, even when it alone is over the byte budget.
            while (_count > 0 && (_count == _items.Length || _bytes + size > _maxBytes))
            {
                _bytes -= _sizes[_head];
                _items[_head] = default;
                _head = (_head + 1) % _items.Length;
                _count--;
            }

            var tail = (_head + _count) % _items.Length;
            _items[tail] = item;
            _sizes[tail] = size;
            _count++;
            _bytes += size;
            _first = _items[_head].Sequence;
            Interlocked.Exchange(ref _last, item.Sequence);
        }

        // Readers take the signal before checking LastSequence, so none can miss this wake-up. The
        // signal is replaced only when a reader took it since the last event: with no one waiting,
        // recording allocates nothing.
        if (Interlocked.Exchange(ref _signalTaken, 0) == 1)
        {
            Interlocked.Exchange(ref _next, NewSignal()).TrySetResult();
        }
    }

    public IReadOnlyList<SequencedEvent> ReadAfter(long cursor, int max) => Read(cursor, max).Events;

    public ValueTask<ReplayRead> ReadAfterAsync(long cursor, int max, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Read(cursor, max));

    /// <summary>True when <paramref name="cursor"/> is inside this ring's window: a read after it misses nothing.</summary>
    public bool Covers(long cursor)
    {
        lock (_sync)
        {
            return cursor >= _first - 1;
        }
    }

    private ReplayRead Read(long cursor, int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        lock (_sync)
        {
            // Read under the same lock as the window's start, so an eviction between the two cannot pass for a miss.
            var missed = cursor < _first - 1;
            if (_count == 0 || cursor >= _last)
            {
                return new ReplayRead([], false);
            }

            var start = FirstIndexAfter(cursor);
            var take = Math.Min(max, _count - start);
            var result = new SequencedEvent[take];
            for (var i = 0; i < take; i++)
            {
                result[i] = _items[(_head + start + i) % _items.Length];
            }

            return new ReplayRead(result, missed);
        }
    }

    public Task WaitAsync(long cursor, CancellationToken cancellationToken)
    {
        var signal = Volatile.Read(ref _next).Task;
        // A full fence between taking the signal and reading LastSequence: either this sees the new
        // sequence, or the recorder sees the flag and completes the signal taken above (or a later one).
        Interlocked.Exchange(ref _signalTaken, 1);
        return LastSequence > cursor ? Task.CompletedTask : signal.WaitAsync(cancellationToken);
    }

    // Sequences only grow, so the ring is sorted: binary search over logical positions.
    private int FirstIndexAfter(long cursor)
    {
        int low = 0, high = _count;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (_items[(_head + mid) % _items.Length].Sequence <= cursor)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

}
