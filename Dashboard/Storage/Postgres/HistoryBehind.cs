namespace Dashboard.Storage.Postgres;

/// <summary>History not written yet: the database has been unreachable since <paramref name="Since"/> (the writer retries with backoff).</summary>
public sealed record HistoryBehind(string? Location, DateTimeOffset Since, long Waiting, long Dropped)
{
    public string Description =>
        $"History is behind: the history database {Location} is unreachable since {Since:HH:mm:ss} UTC; {Waiting:N0} events wait to be written (retried with backoff, nothing finished is lost)"
        + (Dropped > 0 ? $", {Dropped:N0} were dropped (the queue was full)." : ".");
}
