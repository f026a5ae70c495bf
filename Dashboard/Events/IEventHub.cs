using System.Threading.Channels;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.State;

namespace Dashboard.Events;

/// <summary>
/// In-process, typed publish/subscribe. <see cref="IDomainEventSink.Publish"/> sequences the
/// event, applies it to the projections (so state never depends on a subscriber keeping up), then
/// offers a notification to every subscriber without waiting. A subscriber gets a consistent
/// snapshot and then every later event: no gap, no duplicate. Slow subscribers lose (merge) only
/// notifications, counted in <see cref="HubSubscription.Dropped"/>.
/// </summary>
public interface IEventHub : IDomainEventSink
{
    /// <summary>Current state (projections). Safe to read from any thread.</summary>
    IDashboardState State { get; }

    /// <param name="filter">Only events it accepts are queued (evaluated on the publisher's thread: keep it cheap).</param>
    /// <param name="capacity">Queue bound; default from Dashboard:Limits:SubscriberQueueCapacity.</param>
    HubSubscription Subscribe(Func<DashboardEvent, bool>? filter = null, int? capacity = null);

    /// <summary>
    /// A view's wake-up (see <see cref="HubWatch"/>): set once by any number of events it
    /// <paramref name="accepts"/>, whatever their rate. For pages, which re-read the state anyway.
    /// </summary>
    /// <param name="accepts">Which events change what the view shows (publisher's thread: keep it cheap).</param>
    /// <param name="isUrgent">Which of those should show without waiting for the next render tick.</param>
    HubWatch Watch(Func<DashboardEvent, bool> accepts, Func<DashboardEvent, bool> isUrgent);
}

public readonly record struct SequencedEvent(long Sequence, DashboardEvent Event);

/// <summary>A live subscription. Dispose it (components: in Dispose) to unregister.</summary>
public abstract class HubSubscription : IDisposable
{
    /// <summary>Sequence of the last event reflected in the state at subscribe time; every queued event is later.</summary>
    public abstract long SnapshotSequence { get; }

    public abstract ChannelReader<SequencedEvent> Events { get; }

    /// <summary>Notifications dropped because this subscriber's queue was full (the state still has them).</summary>
    public abstract long Dropped { get; }

    public abstract void Dispose();
}
