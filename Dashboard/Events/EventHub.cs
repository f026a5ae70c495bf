using System.Threading.Channels;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Security;
using Dashboard.State;
using Microsoft.Extensions.Options;

namespace Dashboard.Events;

/// <summary>
/// The one in-process hub. A single short lock orders sequencing, the projection update and the
/// fan-out, which is what makes "snapshot, then exactly every later event" hold: a subscriber
/// registers under the same lock that applies events, so no event can fall between its snapshot
/// and its queue. Fan-out never waits: each subscriber has a bounded drop-oldest queue.
/// </summary>
public sealed class EventHub : IEventHub
{
    private readonly Lock _gate = new();
    private readonly DashboardState _state;
    private readonly int _defaultCapacity;
    private readonly IEventJournal? _journal;
    private readonly IEventRecorder? _recorder;
    private long _sequence;
    private long _dropped;

    // Copy-on-write: publish walks a stable array without allocating; (un)subscribe is rare.
    private Subscriber[] _subscribers = [];
    private DirtyFlagWatch[] _watches = [];

    private readonly IDomainEventSink _entrance;
    private IEventDistributor? _distributor;

    /// <param name="recorder">The live API's replay log: records every sequenced event.</param>
    /// <param name="secrets">
    /// When given (always in the app), every event passes the redaction boundary
    /// (<see cref="RedactingEventSink"/>) before it is sequenced: no reader of the hub ever sees a secret.
    /// </param>
    /// <param name="journal">The history store: the hub takes its durable sequence and records every event in it.</param>
    public EventHub(DashboardState state, IOptions<DashboardOptions> options, IEventRecorder? recorder = null, SecretRedactor? secrets = null, IEventJournal? journal = null)
    {
        _state = state;
        _recorder = recorder;
        _journal = journal;
        _sequence = journal?.StartAfter ?? 0;
        recorder?.StartAfter(_sequence);
        _defaultCapacity = Math.Max(1, options.Value.Limits.SubscriberQueueCapacity);
        var core = new Core(this);
        // Redacted first (a cut must not leave half a secret behind), then held to the byte budgets.
        var bounded = new BudgetingEventSink(core, options.Value.Limits);
        _entrance = secrets is null ? bounded : new RedactingEventSink(bounded, secrets);
    }

    public IDashboardState State => _state;

    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    /// <summary>Sequence of the last published event (0 before the first).</summary>
    public long LastSequence => Interlocked.Read(ref _sequence);

    /// <summary>Notifications dropped by every subscriber so far, including those gone (telemetry).</summary>
    public long DroppedNotifications => Interlocked.Read(ref _dropped);

    public long Publish(DashboardEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return _entrance.Publish(e);
    }

    /// <summary>
    /// From now on events are numbered and delivered by <paramref name="distributor"/> (several
    /// replicas). Attached once at start-up, before any backend or run publishes.
    /// </summary>
    public void AttachDistributor(IEventDistributor distributor)
    {
        ArgumentNullException.ThrowIfNull(distributor);
        Volatile.Write(ref _distributor, distributor);
    }

    /// <summary>
    /// Applies an event numbered by the distributor, in the cluster's order: every replica's hub
    /// gets every event through here. An event at or below the last sequence is a repeat and is
    /// ignored. Only the replica that produced the event records it in the history store
    /// (<paramref name="journal"/>), so each event is written once, never once per replica.
    /// </summary>
    /// <returns>False for a repeat.</returns>
    public bool ApplySequenced(long sequence, DashboardEvent e, bool journal)
    {
        ArgumentNullException.ThrowIfNull(e);
        lock (_gate)
        {
            if (sequence <= _sequence)
            {
                return false;
            }

            Apply(sequence, e, journal);
            return true;
        }
    }

    private long Sequence(DashboardEvent e)
    {
        if (Volatile.Read(ref _distributor) is { } distributor)
        {
            return distributor.Distribute(e);
        }

        lock (_gate)
        {
            var sequence = _journal?.NextSequence() ?? _sequence + 1;
            Apply(sequence, e, journal: true);
            return sequence;
        }
    }

    private void Apply(long sequence, DashboardEvent e, bool journal)
    {
        _state.Apply(e, sequence);
        Volatile.Write(ref _sequence, sequence);

        var item = new SequencedEvent(sequence, e);
        if (journal && _journal is not null)
        {
            Journal(item);
        }
        else
        {
            _journal?.Observe(item);
        }

        _recorder?.Record(item);
        foreach (var subscriber in _subscribers)
        {
            subscriber.Offer(item);
        }

        foreach (var watch in _watches)
        {
            watch.Offer(e);
        }
    }

    private void Journal(in SequencedEvent item)
    {
        _journal!.Record(item);
        // A run is written whole when it is created and when it ends, and again when a late fact
        // (usage, metadata, upstream id) changes it afterwards; text deltas never take this path.
        if (item.Event is RunCreated or RunEnded)
        {
            if (_state.GetLiveRun(((RunEvent)item.Event).RunId) is { } run)
            {
                _journal.SaveRun(run);
            }
        }
        else if (item.Event is RunUsageReported or RunMetadataReported or RunUpstreamIdAssigned
            && _state.GetLiveRun(((RunEvent)item.Event).RunId) is { Status: var status } late && status.IsTerminal())
        {
            _journal.SaveRun(late);
        }
    }

    /// <summary>
    /// Runs <paramref name="read"/> with nothing published meanwhile: the state it reads reflects
    /// exactly the events up to the sequence it is given (a consistent snapshot point). Keep it short.
    /// </summary>
    public T ReadConsistent<T>(Func<long, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        lock (_gate)
        {
            return read(_sequence);
        }
    }

    public HubSubscription Subscribe(Func<DashboardEvent, bool>? filter = null, int? capacity = null)
    {
        var bound = capacity ?? _defaultCapacity;
        ArgumentOutOfRangeException.ThrowIfLessThan(bound, 1, nameof(capacity));
        lock (_gate)
        {
            var subscriber = new Subscriber(this, filter, bound, _sequence);
            _subscribers = [.. _subscribers, subscriber];
            return subscriber;
        }
    }

    public HubWatch Watch(Func<DashboardEvent, bool> accepts, Func<DashboardEvent, bool> isUrgent)
    {
        ArgumentNullException.ThrowIfNull(accepts);
        ArgumentNullException.ThrowIfNull(isUrgent);
        lock (_gate)
        {
            var watch = new DirtyFlagWatch(accepts, isUrgent, Remove);
            _watches = [.. _watches, watch];
            return watch;
        }
    }

    /// <summary>Views watching (telemetry and tests).</summary>
    public int WatchCount => Volatile.Read(ref _watches).Length;

    private void Remove(DirtyFlagWatch watch)
    {
        lock (_gate)
        {
            _watches = Array.FindAll(_watches, w => !ReferenceEquals(w, watch));
        }
    }

    private void Remove(Subscriber subscriber)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_subscribers, subscriber);
            if (index < 0)
            {
                return;
            }

            var next = new Subscriber[_subscribers.Length - 1];
            Array.Copy(_subscribers, 0, next, 0, index);
            Array.Copy(_subscribers, index + 1, next, index, next.Length - index);
            _subscribers = next;
        }
    }

    /// <summary>What the redaction boundary publishes into: sequencing, projection and fan-out.</summary>
    private sealed class Core(EventHub hub) : IDomainEventSink
    {
        public long Publish(DashboardEvent e) => hub.Sequence(e);
    }

    private sealed class Subscriber : HubSubscription
    {
        private readonly EventHub _hub;
        private readonly Func<DashboardEvent, bool>? _filter;
        private readonly Channel<SequencedEvent> _channel;
        private long _dropped;
        private int _disposed;

        public Subscriber(EventHub hub, Func<DashboardEvent, bool>? filter, int capacity, long snapshotSequence)
        {
            _hub = hub;
            _filter = filter;
            SnapshotSequence = snapshotSequence;
            // Continuations run on the thread pool, never inline on the publisher's thread.
            _channel = Channel.CreateBounded<SequencedEvent>(
                new BoundedChannelOptions(capacity)
                {
                    FullMode = BoundedChannelFullMode.DropOldest,
                    AllowSynchronousContinuations = false,
                },
                _ =>
                {
                    Interlocked.Increment(ref _dropped);
                    Interlocked.Increment(ref hub._dropped);
                });
        }

        public override long SnapshotSequence { get; }

        public override ChannelReader<SequencedEvent> Events => _channel.Reader;

        public override long Dropped => Interlocked.Read(ref _dropped);

        public void Offer(in SequencedEvent item)
        {
            if (_filter is not null && !Accepts(item.Event))
            {
                return;
            }

            _channel.Writer.TryWrite(item);
        }

        // A throwing filter must not break the publisher or other subscribers; the notification is
        // delivered (the subscriber re-reads state, so an extra one costs nothing).
        private bool Accepts(DashboardEvent e)
        {
            try
            {
                return _filter!(e);
            }
            catch
            {
                return true;
            }
        }

        public override void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            _hub.Remove(this);
            _channel.Writer.TryComplete();
        }
    }
}
