namespace Dashboard.Ingest.Sse;

/// <summary>Receives what an <see cref="SseParser"/> produces, synchronously, in stream order.</summary>
public interface ISseParserHandler
{
    void OnItem(in SseItem item);

    /// <summary>
    /// True when this handler is done with each item before <see cref="OnItem"/> returns: then the
    /// item carries <see cref="SseItem.Utf8Data"/>, a view of the parser's buffer that the next
    /// item overwrites. A handler that keeps items gets them without it.
    /// </summary>
    bool UsesItemsWithinCall => false;

    /// <summary>An event was dropped because a line or the event exceeded the parser's limits.</summary>
    void OnOversized(in SseOversized dropped);
}

/// <param name="EventType">The dropped event's type as far as it was parsed ("message" when none).</param>
/// <param name="LastEventId">The stream's last event id after the dropped event ended.</param>
/// <param name="Bytes">Bytes of the event's lines seen (including the ones skipped unbuffered).</param>
/// <param name="Reason">"line too long" or "event too large".</param>
public readonly record struct SseOversized(string EventType, string LastEventId, long Bytes, string Reason);
