namespace Dashboard.Ingest;

/// <summary>
/// One dispatched SSE event, as the WHATWG spec defines dispatch: <see cref="EventType"/> is
/// "message" when absent or empty, <see cref="LastEventId"/> is the stream's persisting last
/// event id ("" when none), <see cref="Data"/> has its final LF removed.
/// </summary>
public readonly record struct SseItem(string EventType, string Data, string LastEventId)
{
    public const string DefaultEventType = "message";
}
