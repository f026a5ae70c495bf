namespace Dashboard.Storage;

/// <summary>History not written yet: the history database has been unreachable since <paramref name="Since"/> (the writer retries with backoff).</summary>
public sealed record HistoryBehind(string? Location, DateTimeOffset Since, long Waiting, long Dropped)
{
    public string Description =>
        $"History is behind: the history database {Location} is unreachable since {Since:HH:mm:ss} UTC; {Waiting:N0} events wait to be written (retried with backoff, nothing finished is lost)"
        + (Dropped > 0 ? $", {Dropped:N0} were dropped (the queue was full)." : ".");
}

/// <summary>
/// What the pages say about the history store when something is wrong with it: its database
/// unreachable (<see cref="Behind"/>), or events it never wrote because its queue was full
/// (<see cref="Dropped"/>: a replay across them starts from a snapshot). Null when all is well.
/// </summary>
public sealed record HistoryStatus(HistoryBehind? Behind, long Dropped)
{
    public static HistoryStatus? Of(IHistoryStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var behind = store.Behind;
        var dropped = store.DroppedEvents;
        return behind is null && dropped == 0 ? null : new HistoryStatus(behind, dropped);
    }
}
