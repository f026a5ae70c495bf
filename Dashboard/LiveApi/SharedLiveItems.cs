using Dashboard.Domain;
using Dashboard.Events;

namespace Dashboard.LiveApi;

/// <summary>
/// The live items of recent hub events, mapped once for every subscriber: all but tool calls map
/// the same for everyone, so N subscribers of one event share its items (and, through
/// <see cref="LiveEvent.Serialized"/>, its JSON). A fixed ring of the latest sequences: a subscriber
/// further behind maps for itself, so memory stays bounded whatever the subscribers do.
/// </summary>
public sealed class SharedLiveItems
{
    private readonly Entry?[] _slots;

    public SharedLiveItems(int capacity = 4096)
    {
        _slots = new Entry?[Math.Max(1, capacity)];
    }

    internal LiveItem[] GetOrAdd(SequencedEvent item, LiveEventMapper mapper)
    {
        var slot = (int)((ulong)item.Sequence % (ulong)_slots.Length);
        var entry = Volatile.Read(ref _slots[slot]);
        // The event instance too: a sequence names one event only within one log.
        if (entry is not null && entry.Sequence == item.Sequence && ReferenceEquals(entry.Event, item.Event))
        {
            return entry.Items;
        }

        var mapped = mapper.MapSame(item);
        var items = new LiveItem[mapped.Length];
        for (var i = 0; i < mapped.Length; i++)
        {
            items[i] = mapped[i] with { Event = mapped[i].Event with { Serialized = new SerializedLiveEvent() } };
        }

        // Two subscribers may map the same event at once: either result is the same, the last one stays.
        Volatile.Write(ref _slots[slot], new Entry(item.Sequence, item.Event, items));
        return items;
    }

    private sealed record Entry(long Sequence, DashboardEvent Event, LiveItem[] Items);
}
