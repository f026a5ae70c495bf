using System.Text;

namespace Dashboard.Ingest;

/// <summary>
/// One dispatched SSE event, as the WHATWG spec defines dispatch: <see cref="EventType"/> is
/// "message" when absent or empty, <see cref="LastEventId"/> is the stream's persisting last
/// event id ("" when none), <see cref="Data"/> has its final LF removed.
/// </summary>
public readonly record struct SseItem(string EventType, string Data, string LastEventId)
{
    public const string DefaultEventType = "message";

    /// <summary>
    /// <see cref="Data"/> as the UTF-8 bytes received, so a decoder parses JSON without encoding
    /// the string back. A view of the parser's buffer, valid only during the call that hands the
    /// item over (given only to handlers that say so); empty when the item was built from a
    /// string or the bytes were not valid UTF-8 (then <see cref="Data"/> holds the replacement
    /// characters and is what counts).
    /// </summary>
    public ReadOnlyMemory<byte> Utf8Data { get; init; }

    /// <summary>The data as UTF-8: the received bytes, else <see cref="Data"/> encoded.</summary>
    public ReadOnlyMemory<byte> Utf8() => !Utf8Data.IsEmpty || Data.Length == 0 ? Utf8Data : Encoding.UTF8.GetBytes(Data);

    // The bytes are a transient view of Data: equality is the event's.
    public bool Equals(SseItem other) =>
        string.Equals(EventType, other.EventType, StringComparison.Ordinal)
        && string.Equals(Data, other.Data, StringComparison.Ordinal)
        && string.Equals(LastEventId, other.LastEventId, StringComparison.Ordinal);

    public override int GetHashCode() => HashCode.Combine(EventType, Data, LastEventId);
}
