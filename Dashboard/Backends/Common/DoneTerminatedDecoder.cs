using System.Text.Json;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Backends.Common;

/// <summary>
/// Framing shared by the simple <c>[DONE]</c>-terminated JSON streams (simple chat and
/// job progress in docs/protocols.md): <c>event: error</c> or an <c>error</c> field ends the run failed, <c>data: [DONE]</c>
/// ends it completed, other event types are ignored; every other message is a JSON object the kind
/// reads in <see cref="OnMessage"/>.
/// </summary>
public abstract class DoneTerminatedDecoder(string errorFallback) : IRunStreamDecoder
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
