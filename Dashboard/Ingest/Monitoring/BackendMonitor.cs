using Dashboard.Domain;
using Dashboard.Ingest.Sse;
using Dashboard.Security;
using Microsoft.Extensions.Logging;

namespace Dashboard.Ingest.Monitoring;

/// <summary>
/// Health counters, state and raw inspector ring of one backend. Thread-safe: several streams of
/// the backend (runs) record into it at once. Health reaches the hub as <see cref="BackendHealthChanged"/>
/// at once on a state change, and for counter-only changes at most once per
/// <see cref="IngestTimings.HealthPublishInterval"/> (a timer makes the final publish), so ingest
/// never publishes per event and never waits for a publish.
/// </summary>
/// <remarks>
/// A backend with no open stream shows how its last stream ended: Idle (registered or ended
/// normally), Failed, or Stopped (cancelled). While streams are open it shows the most alive of
/// them: Connected, then Idle (connected but silent), Connecting, Reconnecting, Failed.
/// </remarks>
public sealed partial class BackendMonitor : IDisposable
{
    // Secrets never span more than this, so redacting this much beyond the cut masks any secret the cut would split.
    private const int RedactionMargin = 512;

    private readonly Lock _gate = new();
    private readonly Lock _publishGate = new();
    private readonly List<StreamTracker> _streams = [];
    private readonly InspectorRing _ring;
    private readonly int _dataChars;
    private readonly int _eventIdBytes;
    private readonly SecretRedactor _redactor;
    private readonly IDomainEventSink _sink;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _publishInterval;
    private readonly ILogger _logger;
    private readonly ITimer _publishTimer;

    private BackendState _state = BackendState.Idle;
    private BackendState _resting = BackendState.Idle;
    private long _eventsReceived;
    private long _decodeErrors;
    private long _reconnects;
    private long _oversizedDropped;
    private long _valuesCut;
    private long _idsNotResent;
    private DateTimeOffset? _lastEventAt;
    private string? _lastError;
    private int _dirty;
    private int _timerArmed;

    internal BackendMonitor(
        string name,
        string kind,
        bool isDemo,
        BackendMonitorSettings settings,
        SecretRedactor redactor,
        IDomainEventSink sink,
        TimeProvider clock,
        ILogger logger)
    {
        Name = name;
        Kind = kind;
        IsDemo = isDemo;
        _ring = new InspectorRing(settings.InspectorCapacity, settings.InspectorBytes);
        _dataChars = Math.Max(1, settings.InspectorDataChars);
        _eventIdBytes = Math.Max(16, settings.EventIdBytes);
        _publishInterval = settings.PublishInterval;
        _redactor = redactor;
        _sink = sink;
        _clock = clock;
        _logger = logger;
        _publishTimer = clock.CreateTimer(_ => OnPublishTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public string Name { get; }

    public string Kind { get; private set; }

    public bool IsDemo { get; private set; }

    public BackendState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    public BackendHealth Health
    {
        get
        {
            lock (_gate)
            {
                return new BackendHealth(Name, Kind, _state, _lastEventAt, _eventsReceived, _decodeErrors, _reconnects, _oversizedDropped, _lastError, IsDemo)
                {
                    ValuesCut = _valuesCut,
                    IdsNotResent = _idsNotResent,
                };
            }
        }
    }

    internal long Evicted
    {
        get
        {
            lock (_gate)
            {
                return _ring.Evicted;
            }
        }
    }

    /// <summary>Byte budget of an event id and type; a longer id is not sent back as Last-Event-ID.</summary>
    public int EventIdBytes => _eventIdBytes;

    /// <summary>A stream of this backend starts; dispose or close the tracker when it ends.</summary>
    public StreamTracker OpenStream(BackendState initial = BackendState.Connecting)
    {
        var tracker = new StreamTracker(this, initial);
        bool changed;
        lock (_gate)
        {
            _streams.Add(tracker);
            changed = Recompute();
        }

        PublishIf(changed);
        return tracker;
    }

    /// <summary>Records a dispatched item (counters, inspector); returns its inspector seq.</summary>
    public long RecordItem(in SseItem item)
    {
        // Kept raw (bounded) and redacted when read: redaction costs more than parsing the item,
        // and the inspector is read about once a second, while items can arrive 100,000 times as often.
        var (data, truncated) = ForInspector(item.Data);
        var cuts = 0L;
        var type = ByteBudget.Cut(item.EventType, _eventIdBytes, ref cuts)!;
        var id = ByteBudget.Cut(item.LastEventId, _eventIdBytes, ref cuts)!;
        var at = _clock.GetUtcNow();
        long seq;
        lock (_gate)
        {
            _valuesCut += cuts;
            _eventsReceived++;
            _lastEventAt = at;
            seq = _ring.Add(type, id, data, truncated, at, null);
        }

        MarkDirty();
        return seq;
    }

    public void RecordOversized(in SseOversized dropped)
    {
        var note = $"oversized: dropped ({dropped.Reason}, {dropped.Bytes} bytes)";
        var cuts = 0L;
        var type = ByteBudget.Cut(dropped.EventType, _eventIdBytes, ref cuts)!;
        var id = ByteBudget.Cut(dropped.LastEventId, _eventIdBytes, ref cuts)!;
        var at = _clock.GetUtcNow();
        lock (_gate)
        {
            _valuesCut += cuts;
            _oversizedDropped++;
            _ring.Add(type, id, "", false, at, note);
        }

        MarkDirty();
    }

    /// <summary>The decoder refused the item with inspector seq <paramref name="seq"/>.</summary>
    public void RecordDecodeError(long seq, string message)
    {
        var note = "decode error: " + _redactor.Redact(message);
        lock (_gate)
        {
            _decodeErrors++;
            _ring.SetNote(seq, note);
        }

        MarkDirty();
    }

    /// <summary>The stream's last event id is over <see cref="EventIdBytes"/>: the reconnect goes without Last-Event-ID.</summary>
    public void RecordIdNotResent()
    {
        lock (_gate)
        {
            _idsNotResent++;
        }

        MarkDirty();
    }

    public void RecordReconnect()
    {
        lock (_gate)
        {
            _reconnects++;
        }

        MarkDirty();
    }

    /// <summary>Sets the last error (redacted here) and publishes it at once.</summary>
    public void ReportError(string message)
    {
        var redacted = _redactor.Redact(message);
        lock (_gate)
        {
            _lastError = redacted;
        }

        PublishNow();
    }

    public void Dispose() => _publishTimer.Dispose();

    internal void Describe(string kind, bool isDemo)
    {
        bool changed;
        lock (_gate)
        {
            changed = Kind != kind || IsDemo != isDemo;
            Kind = kind;
            IsDemo = isDemo;
        }

        PublishIf(changed);
    }

    internal List<RawEventRecord> Recent(int limit)
    {
        List<RawEventRecord> raw;
        lock (_gate)
        {
            raw = _ring.Recent(limit);
        }

        return raw.ConvertAll(Present);
    }

    internal List<RawEventRecord> After(long afterSeq, int limit)
    {
        List<RawEventRecord> raw;
        lock (_gate)
        {
            raw = _ring.After(afterSeq, limit);
        }

        return raw.ConvertAll(Present);
    }

    // The inspector's redaction boundary: what leaves the monitor has every secret masked (on read,
    // so a token learnt after the item arrived is masked too) and data cut to the inspector's
    // size. Redacting before cutting means a cut never leaves half a secret showing.
    private RawEventRecord Present(RawEventRecord stored)
    {
        var data = _redactor.Redact(stored.Data);
        var truncated = stored.DataTruncated || data.Length > _dataChars;
        return stored with
        {
            Type = _redactor.Redact(stored.Type),
            Id = _redactor.Redact(stored.Id),
            Data = data.Length > _dataChars ? data[.._dataChars] : data,
            DataTruncated = truncated,
        };
    }

    internal void SetStreamState(StreamTracker tracker, BackendState state)
    {
        bool changed;
        lock (_gate)
        {
            if (tracker.IsClosed || tracker.State == state)
            {
                return;
            }

            tracker.State = state;
            changed = Recompute();
        }

        PublishIf(changed);
    }

    internal void CloseStream(StreamTracker tracker, BackendState resting)
    {
        bool changed;
        lock (_gate)
        {
            if (tracker.IsClosed)
            {
                return;
            }

            tracker.IsClosed = true;
            _streams.Remove(tracker);
            _resting = resting;
            changed = Recompute();
        }

        PublishIf(changed);
    }

    internal void PublishNow()
    {
        lock (_publishGate)
        {
            Volatile.Write(ref _dirty, 0);
            var health = Health;
            try
            {
                _sink.Publish(new BackendHealthChanged { Backend = Name, At = _clock.GetUtcNow(), Health = health });
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Health is advisory: a failing sink must not break the stream that reported it.
                LogPublishFailed(_logger, Name, ex);
            }
        }
    }

    // Stored raw but bounded: the inspector's size plus a margin, so a secret that straddles the
    // cut is still whole when it is redacted on read.
    private (string Data, bool Truncated) ForInspector(string data) =>
        data.Length <= _dataChars + RedactionMargin
            ? (data, false)
            : (data[..(_dataChars + RedactionMargin)], true);

    private bool Recompute()
    {
        var next = _resting;
        if (_streams.Count > 0)
        {
            next = _streams.Select(s => s.State).MinBy(Liveliness);
        }

        if (next == _state)
        {
            return false;
        }

        _state = next;
        return true;
    }

    private static int Liveliness(BackendState state) => state switch
    {
        BackendState.Connected => 0,
        BackendState.Idle => 1,
        BackendState.Connecting => 2,
        BackendState.Reconnecting => 3,
        BackendState.Failed => 4,
        _ => 5,
    };

    private void PublishIf(bool changed)
    {
        if (changed)
        {
            PublishNow();
        }
    }

    private void MarkDirty()
    {
        Volatile.Write(ref _dirty, 1);
        if (Interlocked.CompareExchange(ref _timerArmed, 1, 0) == 0)
        {
            _publishTimer.Change(_publishInterval, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnPublishTimer()
    {
        Volatile.Write(ref _timerArmed, 0);
        if (Volatile.Read(ref _dirty) == 1)
        {
            PublishNow();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing the health of backend {Backend} failed")]
    private static partial void LogPublishFailed(ILogger logger, string backend, Exception exception);
}

internal sealed record BackendMonitorSettings(int InspectorCapacity, int InspectorDataChars, TimeSpan PublishInterval)
{
    public int EventIdBytes { get; init; } = 1024;

    public int InspectorBytes { get; init; } = 4 * 1024 * 1024;
}
