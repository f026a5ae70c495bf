using Dashboard.Domain;

namespace Dashboard.Ingest;

/// <summary>
/// Turns one dialect's raw SSE items into domain events. One instance per stream (decoders may
/// keep state across items, e.g. tool-call ids). Malformed data is signalled by throwing
/// (e.g. <see cref="System.Text.Json.JsonException"/>): the ingest engine counts a decode error,
/// keeps the raw item for the inspector and goes on with the stream.
/// Unknown event types and fields are ignored without error.
/// </summary>
public interface IStreamDecoder
{
    void Decode(in SseItem item, DecodeContext context);

    /// <summary>True once the stream delivered its dialect's terminal event (done, [DONE], final stage…).</summary>
    bool IsTerminal { get; }
}
