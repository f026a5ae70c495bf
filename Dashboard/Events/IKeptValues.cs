namespace Dashboard.Events;

/// <summary>
/// Small named values kept with the event log (a federation link's cursor). A value saved after
/// some events is written in the same order: it is never durable before the events published
/// ahead of it, so a cursor read back after a crash never runs ahead of what was kept.
/// </summary>
public interface IKeptValues
{
    /// <summary>Queues the value; never waits on disk. A later save of the same key wins.</summary>
    void SaveValue(string key, string value);

    /// <summary>The last value written for <paramref name="key"/>, or null.</summary>
    string? ReadValue(string key);
}
