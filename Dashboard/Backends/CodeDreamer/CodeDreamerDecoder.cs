using System.Text.Json;
using Dashboard.Backends.Common;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Backends.CodeDreamer;

/// <summary>
/// CodeDreamer's always-on <c>GET /events</c> (docs/protocols.md, "CodeDreamer"): <c>{"type":"update","nodes",
/// "tiers","types"}</c> becomes graph stats without edges/entanglement (the SSE event does not
/// carry them; the snapshot from <c>/graph/stats</c> does, see <see cref="ParseSnapshot"/>).
/// The stream never ends by design. Each event is read in one pass over its UTF-8 bytes
/// (<see cref="Utf8Message"/>).
/// </summary>
/// <param name="onNodes">Told each streamed node count (the client reloads the full stats when it changes).</param>
public sealed class CodeDreamerDecoder(Action<int>? onNodes = null) : IStreamDecoder
{
    private static readonly KnownNames Fields = new("type", "nodes", "tiers", "types");
    private static readonly KnownNames Types = new("update");

    public bool IsTerminal => false;

    public void Decode(in SseItem item, DecodeContext context)
    {
        if (item.EventType != SseItem.DefaultEventType)
        {
            return;
        }

        var bytes = item.Utf8();
        var root = new Utf8Message(bytes.Span, Fields, stackalloc Utf8Value[Fields.Count]);
        if (root.String("type", Types) != "update")
        {
            return;
        }

        var nodes = ToCount(root.Number("nodes") ?? throw new JsonException("Graph update without 'nodes'."), "nodes");
        context.Emit(new GraphStatsObserved
        {
            Backend = context.Backend,
            At = context.Now,
            Stats = new GraphStats(nodes, null, null, root.Counts("tiers"), root.Counts("types")),
        });
        onNodes?.Invoke(nodes);
    }

    /// <summary>Reads <c>GET /graph/stats</c>: <c>{total_nodes, total_edges, avg_entanglement, tiers, types}</c>.</summary>
    public static GraphStats ParseSnapshot(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = JsonFields.RequireObject(doc.RootElement);
        var nodes = JsonFields.Number(root, "total_nodes") ?? throw new JsonException("Graph stats without 'total_nodes'.");
        var edges = JsonFields.Number(root, "total_edges");
        return new GraphStats(
            ToCount(nodes, "total_nodes"),
            edges is { } e ? ToCount(e, "total_edges") : null,
            JsonFields.Number(root, "avg_entanglement"),
            JsonFields.Counts(root, "tiers"),
            JsonFields.Counts(root, "types"));
    }

    private static int ToCount(double value, string field) =>
        value >= 0 && value <= int.MaxValue && value == Math.Floor(value)
            ? (int)value
            : throw new JsonException($"Field '{field}' is not a count.");
}
