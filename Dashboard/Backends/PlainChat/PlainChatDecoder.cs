using System.Text.Json;
using Dashboard.Backends.Common;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Backends.PlainChat;

/// <summary>
/// Simple chat stream (PROTOCOLS.md §4 "Simple"): <c>{"content"}</c> deltas appended until
/// <c>data: [DONE]</c>; <c>event: error</c> <c>{"error","fatal"?}</c> (or an <c>error</c> field on a
/// message) ends the run failed, whatever <c>fatal</c> says: the server stops sending after it.
/// </summary>
public sealed class PlainChatDecoder : IRunStreamDecoder
{
    public RunOutcome? Outcome { get; private set; }

    public bool IsTerminal => Outcome is not null;

    public void Decode(in SseItem item, DecodeContext context)
    {
        if (item.EventType == "error")
        {
            Fail(context, UpstreamError.ExtractMessage(item.Data) ?? "chat stream reported an error");
            return;
        }

        if (item.EventType != SseItem.DefaultEventType)
        {
            return;
        }

        if (item.Data.Trim() == "[DONE]")
        {
            Outcome = RunOutcome.Completed;
            return;
        }

        using var doc = JsonDocument.Parse(item.Data);
        var root = JsonFields.RequireObject(doc.RootElement);
        if (JsonFields.Value(root, "error") is { } error)
        {
            Fail(context, UpstreamError.FromElement(error) ?? "chat stream reported an error");
            return;
        }

        if (JsonFields.String(root, "content") is { Length: > 0 } content)
        {
            context.Text(content, TextMode.Append);
        }
    }

    private void Fail(DecodeContext context, string error)
    {
        context.Stage("error", StageStatus.Failed, error);
        Outcome = RunOutcome.Failed(error);
    }
}
