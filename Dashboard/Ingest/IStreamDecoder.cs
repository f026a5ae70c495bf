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

/// <summary>Where a decoder sends what it decoded, and what it needs to stamp events.</summary>
public sealed class DecodeContext(string backend, string? runId, IDomainEventSink sink, TimeProvider clock)
{
    public string Backend { get; } = backend;

    /// <summary>The dashboard's run id for run streams; null for always-on streams.</summary>
    public string? RunId { get; } = runId;

    public DateTimeOffset Now => clock.GetUtcNow();

    public void Emit(DashboardEvent e) => sink.Publish(e);
}

/// <summary>Accepts domain events in order. The event hub is the real one.</summary>
public interface IDomainEventSink
{
    long Publish(DashboardEvent e);
}
