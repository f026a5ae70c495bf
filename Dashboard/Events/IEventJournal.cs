using Dashboard.State;

namespace Dashboard.Events;

/// <summary>
/// Where the hub gets its sequence numbers and records what it sequenced (the history store).
/// Every member is called under the hub's lock, in sequence order, so none may wait on disk
/// except <see cref="NextSequence"/> in the rare case its durable reservation has fallen behind.
/// </summary>
public interface IEventJournal
{
    /// <summary>The last sequence number that may have been used before this start (the hub continues after it).</summary>
    long StartAfter { get; }

    /// <summary>The next sequence number, already reserved durably so a crash never leads to its reuse.</summary>
    long NextSequence();

    /// <summary>Queues a sequenced event for the store; never waits (overflow is counted, not blocking).</summary>
    void Record(in SequencedEvent item);

    /// <summary>
    /// Several replicas: an event another replica produced (and records itself) was applied here.
    /// A store shared by the replicas notes how far the cluster's sequence has come.
    /// </summary>
    void Observe(in SequencedEvent item)
    {
    }

    /// <summary>
    /// A run was created (so a crash still knows it was in flight), ended, or changed after its
    /// end: the store writes it whole. Never dropped, whatever the event queue does.
    /// </summary>
    void SaveRun(RunView run);
}
