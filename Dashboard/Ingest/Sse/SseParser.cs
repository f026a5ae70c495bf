using System.Text;
using System.Text.Unicode;

namespace Dashboard.Ingest.Sse;

/// <summary>
/// Incremental, spec-conformant (WHATWG "Server-sent events", event stream interpretation) parser
/// over raw bytes. Chunks may split anything: a UTF-8 sequence, a CR/LF pair, the BOM. Bounded:
/// a line longer than <see cref="SseParserLimits.MaxLineBytes"/> or an event whose data exceeds
/// <see cref="SseParserLimits.MaxEventBytes"/> is skipped without being buffered, reported through
/// <see cref="ISseParserHandler.OnOversized"/>, and parsing goes on with the next event.
/// Invalid UTF-8 decodes to U+FFFD. Not thread-safe: one parser per stream reader.
/// </summary>
/// <remarks>
/// One instance may parse several connections of the same logical stream in turn: <see cref="Complete"/>
/// ends one connection (discarding a partly built event), while <see cref="LastEventId"/> and
/// <see cref="ReconnectionTime"/> persist, so the next connection starts from the last dispatched id
/// (as browsers do) and sends it as <c>Last-Event-ID</c>.
/// </remarks>
public sealed class SseParser : IDisposable
{
    private const byte Cr = (byte)'\r';
    private const byte Lf = (byte)'\n';
    private const string LineTooLong = "line too long";
    private const string EventTooLarge = "event too large";

    // Far beyond any sane retry, small enough for TimeSpan.
    private const long MaxRetryMilliseconds = 1_000_000_000_000;

    private static ReadOnlySpan<byte> Bom => [0xEF, 0xBB, 0xBF];

    private readonly SseParserLimits _limits;
    private readonly ISseParserHandler _handler;

    private readonly PooledByteBuffer _line = new();
    private readonly PooledByteBuffer _data = new();
    private readonly PooledByteBuffer _eventType = new();
    private readonly PooledByteBuffer _pendingId = new();
    private readonly PooledByteBuffer _committedId = new();
    private readonly PooledByteBuffer _cachedTypeBytes = new();
    private string _cachedType = SseItem.DefaultEventType;

    private int _bomMatched;
    private bool _bomDecided;
    private bool _afterCr;
    private long _lineBytes;
    private bool _skippingLine;
    private long _eventBytes;
    private string? _oversizedReason;

    // A line other than data is kept only up to its field's budget; the rest is discarded as it
    // arrives, noting what the field rules still need to know about it.
    private bool _lineCut;
    private bool _cutNonDigit;
    private bool _cutHasNul;

    public SseParser(SseParserLimits limits, ISseParserHandler handler)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(handler);
        _limits = limits;
        _handler = handler;
    }

    /// <summary>The stream's last event id as of the last dispatch ("" when none or reset).</summary>
    public string LastEventId { get; private set; } = "";

    /// <summary>The last valid <c>retry:</c> value; null until the stream sent one.</summary>
    public TimeSpan? ReconnectionTime { get; private set; }

    /// <summary>Events dropped by the size limits since this parser was created.</summary>
    public long OversizedDropped { get; private set; }

    /// <summary>Parses the next bytes of the current connection; dispatched items go to the handler before this returns.</summary>
    public void Feed(ReadOnlySpan<byte> chunk)
    {
        if (!_bomDecided)
        {
            chunk = SkipBom(chunk);
        }

        while (!chunk.IsEmpty)
        {
            if (_afterCr)
            {
                _afterCr = false;
                if (chunk[0] == Lf)
                {
                    chunk = chunk[1..];
                    continue;
                }
            }

            var end = chunk.IndexOfAny(Cr, Lf);
            if (end < 0)
            {
                AppendPartialLine(chunk);
                return;
            }

            _afterCr = chunk[end] == Cr;
            var segment = chunk[..end];
            chunk = chunk[(end + 1)..];
            EndLine(segment);
        }
    }

    /// <summary>
    /// The connection ended: an unterminated line and a partly built event are discarded (an id seen
    /// in it never takes effect). The parser is ready for the next connection of the same stream.
    /// </summary>
    public void Complete()
    {
        if (_oversizedReason is not null)
        {
            ReportOversized();
        }

        _line.Clear();
        ResetLineCut();
        _lineBytes = 0;
        _skippingLine = false;
        _afterCr = false;
        _bomMatched = 0;
        _bomDecided = false;
        ResetEvent();
        _pendingId.Set(_committedId.Span);
    }

    public void Dispose()
    {
        _line.Dispose();
        _data.Dispose();
        _eventType.Dispose();
        _pendingId.Dispose();
        _committedId.Dispose();
        _cachedTypeBytes.Dispose();
    }

    private ReadOnlySpan<byte> SkipBom(ReadOnlySpan<byte> chunk)
    {
        while (_bomMatched < Bom.Length && !chunk.IsEmpty)
        {
            if (chunk[0] != Bom[_bomMatched])
            {
                // Not a BOM after all: the bytes matched so far are ordinary line content.
                _bomDecided = true;
                var matched = _bomMatched;
                _bomMatched = 0;
                Feed(Bom[..matched]);
                return chunk;
            }

            _bomMatched++;
            chunk = chunk[1..];
        }

        if (_bomMatched == Bom.Length)
        {
            _bomDecided = true;
            _bomMatched = 0;
        }

        return chunk;
    }

    private void AppendPartialLine(ReadOnlySpan<byte> segment)
    {
        _lineBytes += segment.Length;
        if (_skippingLine)
        {
            return;
        }

        if (_lineBytes > _limits.MaxLineBytes)
        {
            StartSkippingLine();
            return;
        }

        AppendLine(segment);
    }

    // Data lines are kept whole (bounded by the line and event limits: decoders need the whole
    // payload); of any other line only the head: an id or event value a few bytes over its budget,
    // enough to be seen as over budget, cut and counted downstream; a retry or unknown field
    // needs no more either. The cut keeps memory per field bounded whatever the line length.
    private void AppendLine(ReadOnlySpan<byte> segment)
    {
        if (_lineCut)
        {
            NoteDiscarded(segment);
            return;
        }

        var cap = ValueCap + 8;
        if (_line.Length + segment.Length > cap && !IsDataLine(_line.Span, segment))
        {
            var keep = Math.Max(0, cap - _line.Length);
            _line.Append(segment[..keep]);
            _lineCut = true;
            NoteDiscarded(segment[keep..]);
            return;
        }

        _line.Append(segment);
    }

    private int ValueCap => _limits.MaxFieldBytes + 8;

    private void NoteDiscarded(ReadOnlySpan<byte> discarded)
    {
        _cutNonDigit |= discarded.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0;
        _cutHasNul |= discarded.Contains((byte)0);
    }

    private static bool IsDataLine(ReadOnlySpan<byte> head, ReadOnlySpan<byte> rest)
    {
        Span<byte> start = stackalloc byte[5];
        var fromHead = Math.Min(head.Length, start.Length);
        head[..fromHead].CopyTo(start);
        var fromRest = Math.Min(rest.Length, start.Length - fromHead);
        rest[..fromRest].CopyTo(start[fromHead..]);
        return ((ReadOnlySpan<byte>)start[..(fromHead + fromRest)]).SequenceEqual("data:"u8);
    }

    private void ResetLineCut()
    {
        _lineCut = false;
        _cutNonDigit = false;
        _cutHasNul = false;
    }

    private void EndLine(ReadOnlySpan<byte> segment)
    {
        _lineBytes += segment.Length;
        var lineBytes = _lineBytes;
        _lineBytes = 0;

        if (_skippingLine)
        {
            _skippingLine = false;
            ResetLineCut();
            _eventBytes += lineBytes;
            return;
        }

        if (lineBytes > _limits.MaxLineBytes)
        {
            StartSkippingLine();
            _skippingLine = false;
            _eventBytes += lineBytes;
            return;
        }

        _eventBytes += lineBytes;
        if (_line.Length == 0)
        {
            ProcessLine(segment);
            return;
        }

        AppendLine(segment);
        ProcessLine(_line.Span);
        _line.Clear();
        ResetLineCut();
    }

    private void StartSkippingLine()
    {
        _skippingLine = true;
        _line.Clear();
        ResetLineCut();
        DropEvent(LineTooLong);
    }

    private void DropEvent(string reason)
    {
        _oversizedReason ??= reason;
        _data.Clear();
    }

    private void ProcessLine(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty)
        {
            Dispatch();
            return;
        }

        if (line[0] == (byte)':')
        {
            return;
        }

        ReadOnlySpan<byte> field;
        ReadOnlySpan<byte> value;
        var colon = line.IndexOf((byte)':');
        if (colon < 0)
        {
            field = line;
            value = [];
        }
        else
        {
            field = line[..colon];
            value = line[(colon + 1)..];
            if (!value.IsEmpty && value[0] == (byte)' ')
            {
                value = value[1..];
            }
        }

        if (field.SequenceEqual("data"u8))
        {
            AppendData(value);
        }
        else if (field.SequenceEqual("event"u8))
        {
            _eventType.Set(value[..Math.Min(value.Length, ValueCap)]);
        }
        else if (field.SequenceEqual("id"u8))
        {
            if (!value.Contains((byte)0) && !_cutHasNul)
            {
                _pendingId.Set(value[..Math.Min(value.Length, ValueCap)]);
            }
        }
        else if (field.SequenceEqual("retry"u8))
        {
            if (!_cutNonDigit)
            {
                SetRetry(value);
            }
        }
    }

    private void AppendData(ReadOnlySpan<byte> value)
    {
        if (_oversizedReason is not null)
        {
            return;
        }

        if ((long)_data.Length + value.Length + 1 > _limits.MaxEventBytes)
        {
            DropEvent(EventTooLarge);
            return;
        }

        _data.Append(value);
        _data.Append(Lf);
    }

    private void SetRetry(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty || value.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
        {
            return;
        }

        long ms = 0;
        foreach (var digit in value)
        {
            ms = Math.Min(MaxRetryMilliseconds, (ms * 10) + (digit - '0'));
        }

        ReconnectionTime = TimeSpan.FromMilliseconds(ms);
    }

    private void Dispatch()
    {
        CommitLastEventId();

        if (_oversizedReason is not null)
        {
            ReportOversized();
            ResetEvent();
            return;
        }

        if (_data.Length == 0)
        {
            ResetEvent();
            return;
        }

        var bytes = _data.Memory[..^1];
        var data = Encoding.UTF8.GetString(bytes.Span);
        var type = CurrentEventType();
        try
        {
            // The decoder reads the bytes themselves (valid UTF-8 only: otherwise the string's
            // replacement characters are the data, as before) while the buffer still holds them.
            _handler.OnItem(new SseItem(type, data, LastEventId)
            {
                Utf8Data = _handler.UsesItemsWithinCall && Utf8.IsValid(bytes.Span) ? bytes : default,
            });
        }
        finally
        {
            ResetEvent();
        }
    }

    private void ReportOversized()
    {
        var dropped = new SseOversized(CurrentEventType(), LastEventId, _eventBytes, _oversizedReason ?? EventTooLarge);
        OversizedDropped++;
        ResetEvent();
        _handler.OnOversized(dropped);
    }

    private void CommitLastEventId()
    {
        if (_pendingId.Span.SequenceEqual(_committedId.Span))
        {
            return;
        }

        _committedId.Set(_pendingId.Span);
        LastEventId = Encoding.UTF8.GetString(_committedId.Span);
    }

    private string CurrentEventType()
    {
        if (_eventType.Length == 0)
        {
            return SseItem.DefaultEventType;
        }

        // Streams repeat a handful of types: decode each distinct run once, not per event.
        if (!_eventType.Span.SequenceEqual(_cachedTypeBytes.Span))
        {
            _cachedTypeBytes.Set(_eventType.Span);
            _cachedType = Encoding.UTF8.GetString(_eventType.Span);
        }

        return _cachedType;
    }

    private void ResetEvent()
    {
        _data.Clear();
        _eventType.Clear();
        _eventBytes = 0;
        _oversizedReason = null;
    }
}
