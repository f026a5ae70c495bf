using System.Text.Json;
using Dashboard.Backends.Common;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Tests.Backends;

// The simple chat, job, test generation and CodeDreamer decoders as they were before they read
// items in one Utf8JsonReader pass: each item parsed into a JsonDocument and read through
// JsonFields. Kept here only as the oracle OnePassReaderEquivalenceTests compares the decoders with.

/// <summary>
/// Framing shared by the simple <c>[DONE]</c>-terminated JSON streams (simple chat and
/// job progress in docs/protocols.md): <c>event: error</c> or an <c>error</c> field ends the run failed, <c>data: [DONE]</c>
/// ends it completed, other event types are ignored; every other message is a JSON object the kind
/// reads in <see cref="OnMessage"/>.
/// </summary>
internal abstract class DocumentDoneTerminatedDecoder(string errorFallback) : IRunStreamDecoder
{
    public RunOutcome? Outcome { get; protected set; }

    public bool IsTerminal => Outcome is not null;

    public void Decode(in SseItem item, DecodeContext context)
    {
        if (item.EventType == "error")
        {
            Fail(context, UpstreamError.ExtractMessage(item.Data) ?? errorFallback);
            return;
        }

        if (item.EventType != SseItem.DefaultEventType)
        {
            return;
        }

        if (IsDone(item))
        {
            Outcome = RunOutcome.Completed;
            return;
        }

        using var doc = JsonDocument.Parse(item.Utf8());
        var root = JsonFields.RequireObject(doc.RootElement);
        if (JsonFields.Value(root, "error") is { } error)
        {
            Fail(context, UpstreamError.FromElement(error) ?? errorFallback);
            return;
        }

        OnMessage(root, context);
    }

    /// <summary>The <c>[DONE]</c> sentinel (surrounding white space allowed).</summary>
    public static bool IsDone(in SseItem item) => item.Data.AsSpan().Trim().SequenceEqual("[DONE]");

    /// <summary>One message that is neither an error nor the end: a JSON object.</summary>
    protected abstract void OnMessage(JsonElement message, DecodeContext context);

    private void Fail(DecodeContext context, string error)
    {
        context.Stage("error", StageStatus.Failed, error);
        Outcome = RunOutcome.Failed(error);
    }
}

/// <summary>
/// Simple chat stream (docs/protocols.md, "LLM text streams", simple chat): <c>{"content"}</c> deltas appended until
/// <c>data: [DONE]</c>; <c>event: error</c> <c>{"error","fatal"?}</c> (or an <c>error</c> field on a
/// message) ends the run failed, whatever <c>fatal</c> says: the server stops sending after it.
/// </summary>
internal sealed class DocumentPlainChatDecoder() : DocumentDoneTerminatedDecoder("chat stream reported an error")
{
    protected override void OnMessage(JsonElement message, DecodeContext context)
    {
        if (JsonFields.String(message, "content") is { Length: > 0 } content)
        {
            context.Text(content, TextMode.Append);
        }
    }
}

/// <summary>
/// Job progress (docs/protocols.md, "Job progress"): <c>{"status","progress" 0–100,"message"}</c> becomes a stage
/// named after the status with progress/100; <c>[DONE]</c> ends the run completed, status
/// <c>failed</c> or an error (<c>event: error</c> or an <c>error</c> field) ends it failed.
/// </summary>
internal sealed class DocumentJobsDecoder() : DocumentDoneTerminatedDecoder("job stream reported an error")
{
    protected override void OnMessage(JsonElement message, DecodeContext context)
    {
        var status = JsonFields.String(message, "status");
        var progress = JsonFields.Number(message, "progress");
        if (status is null && progress is null)
        {
            return;
        }

        var text = JsonFields.String(message, "message");
        var stageStatus = status switch
        {
            "completed" => StageStatus.Completed,
            "failed" or "error" => StageStatus.Failed,
            "cancelled" => StageStatus.Cancelled,
            _ => StageStatus.Running,
        };
        context.Stage(status ?? "progress", stageStatus, text, RunEvents.Progress(progress / 100));

        if (stageStatus == StageStatus.Failed)
        {
            Outcome = RunOutcome.Failed(text ?? "job failed");
        }
    }
}

/// <summary>
/// Test generation stream (docs/protocols.md, "LLM text streams", test generation): <c>{"type":"start"}</c>, then
/// <c>{"type":"chunk","content"}</c> appended, then <c>{"type":"done", language, lines,
/// test_file_name, test_framework, test_type}</c> (metadata, completed) or
/// <c>{"type":"error","error"}</c> (failed).
/// </summary>
internal sealed class DocumentTestGenDecoder : IRunStreamDecoder
{
    private static readonly string[] MetadataFields = ["language", "lines", "test_file_name", "test_framework", "test_type"];

    public RunOutcome? Outcome { get; private set; }

    public bool IsTerminal => Outcome is not null;

    public void Decode(in SseItem item, DecodeContext context)
    {
        if (item.EventType == "error")
        {
            Fail(context, UpstreamError.ExtractMessage(item.Data) ?? "test generation reported an error");
            return;
        }

        if (item.EventType != SseItem.DefaultEventType)
        {
            return;
        }

        using var doc = JsonDocument.Parse(item.Utf8());
        var root = JsonFields.RequireObject(doc.RootElement);
        switch (JsonFields.String(root, "type"))
        {
            case "start":
                context.Stage("start", StageStatus.Running, "Generating tests");
                break;
            case "chunk":
                if (JsonFields.String(root, "content") is { Length: > 0 } content)
                {
                    context.Text(content, TextMode.Append);
                }

                break;
            case "done":
                var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var field in MetadataFields)
                {
                    if (JsonFields.Scalar(root, field) is { } value)
                    {
                        metadata[field] = value;
                    }
                }

                if (metadata.Count > 0)
                {
                    context.Metadata(metadata);
                }

                context.Stage("done", StageStatus.Completed, metadata.TryGetValue("test_file_name", out var file) ? file : null);
                Outcome = RunOutcome.Completed;
                break;
            case "error":
                Fail(context, UpstreamError.FromElement(root) ?? "test generation reported an error");
                break;
            default:
                if (JsonFields.Value(root, "error") is { } error)
                {
                    Fail(context, UpstreamError.FromElement(error) ?? "test generation reported an error");
                }

                break;
        }
    }

    private void Fail(DecodeContext context, string error)
    {
        context.Stage("error", StageStatus.Failed, error);
        Outcome = RunOutcome.Failed(error);
    }
}

/// <summary>
/// CodeDreamer's always-on <c>GET /events</c> (docs/protocols.md, "CodeDreamer"): <c>{"type":"update","nodes",
/// "tiers","types"}</c> becomes graph stats without edges/entanglement (the SSE event does not
/// carry them; the snapshot from <c>/graph/stats</c> does, see <see cref="ParseSnapshot"/>).
/// The stream never ends by design.
/// </summary>
/// <param name="onNodes">Told each streamed node count (the client reloads the full stats when it changes).</param>
internal sealed class DocumentCodeDreamerDecoder(Action<int>? onNodes = null) : IStreamDecoder
{
    public bool IsTerminal => false;

    public void Decode(in SseItem item, DecodeContext context)
    {
        if (item.EventType != SseItem.DefaultEventType)
        {
            return;
        }

        using var doc = JsonDocument.Parse(item.Utf8());
        var root = JsonFields.RequireObject(doc.RootElement);
        if (JsonFields.String(root, "type") != "update")
        {
            return;
        }

        var nodes = ToCount(JsonFields.Number(root, "nodes") ?? throw new JsonException("Graph update without 'nodes'."), "nodes");
        context.Emit(new GraphStatsObserved
        {
            Backend = context.Backend,
            At = context.Now,
            Stats = new GraphStats(nodes, null, null, JsonFields.Counts(root, "tiers"), JsonFields.Counts(root, "types")),
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
