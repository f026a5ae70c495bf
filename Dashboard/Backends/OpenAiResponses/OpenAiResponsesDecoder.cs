using Dashboard.Backends.Common;
using Dashboard.Backends.Llm;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Backends.OpenAiResponses;

/// <summary>
/// Responses API typed events: text from <c>response.output_text.delta</c>, function calls from
/// <c>response.output_item.added</c> + <c>response.function_call_arguments.delta</c> (keyed by
/// item id), built-in tools from <c>response.&lt;tool&gt;_call.&lt;status&gt;</c>, lifecycle from
/// <c>response.created|queued|in_progress</c>, the end from <c>response.completed|failed|incomplete</c>
/// or <c>error</c>. Each event is read in one pass over its UTF-8 bytes (<see cref="ResponsesEvent"/>).
/// </summary>
public sealed class OpenAiResponsesDecoder : LlmDecoder
{
    private const string EventPrefix = "response.";
    private const string CallSuffix = "_call";

    // The events this decoder reads, and the frequent ones it ignores (so neither allocates a name).
    private static readonly KnownNames EventTypes = new(
        "response.output_text.delta", "response.refusal.delta", "response.reasoning_summary_text.delta", "response.reasoning_text.delta",
        "response.function_call_arguments.delta", "response.output_item.added", "response.output_item.done",
        "response.created", "response.queued", "response.in_progress", "response.completed", "response.failed", "response.incomplete", "error",
        "response.output_text.done", "response.content_part.added", "response.content_part.done", "response.function_call_arguments.done",
        "response.reasoning_summary_part.added", "response.reasoning_summary_part.done", "response.reasoning_summary_text.done",
        "response.reasoning_text.done", "response.refusal.done", "response.output_text.annotation.added");

    /// <summary>Item id → the call id shown for it (function calls are known by their call_id).</summary>
    private readonly Dictionary<string, string> _toolIds = new(StringComparer.Ordinal);

    protected override void DecodeItem(in SseItem item, DecodeContext context)
    {
        var bytes = item.Utf8();
        var utf8 = bytes.Span;
        var e = ResponsesEvent.Read(utf8);
        var type = e.Type.Text(utf8, EventTypes) ?? item.EventType;
        switch (type)
        {
            case "response.created":
                Lifecycle(e, utf8, context, StageStatus.Completed, null);
                break;
            case "response.queued":
                Lifecycle(e, utf8, context, StageStatus.Running, "queued");
                break;
            case "response.in_progress":
                Lifecycle(e, utf8, context, StageStatus.Completed, null);
                break;
            case "response.output_text.delta":
            case "response.refusal.delta":
                Text(context, e.Delta.Text(utf8));
                break;
            case "response.reasoning_summary_text.delta":
            case "response.reasoning_text.delta":
                Text(context, e.Delta.Text(utf8), channel: TextChannel.Thinking);
                break;
            case "response.output_item.added":
            case "response.output_item.done":
                if (e.Item is { } outputItem)
                {
                    OutputItem(outputItem, utf8, context);
                }

                break;
            case "response.function_call_arguments.delta":
                if (e.ItemId.Text(utf8) is { } itemId)
                {
                    ToolCall(context, _toolIds.GetValueOrDefault(itemId, itemId), argumentsDelta: e.Delta.Text(utf8));
                }

                break;
            case "response.completed":
                ReportUsage(e, context);
                Complete(context, e.Response?.Status.Text(utf8));
                break;
            case "response.failed":
                ReportUsage(e, context);
                Fail(context, e.Response?.Error.ErrorMessage(utf8) ?? "response failed");
                break;
            case "response.incomplete":
                ReportUsage(e, context);
                Fail(context, e.Response?.IncompleteReason.Text(utf8) is { } reason ? $"incomplete: {reason}" : "incomplete");
                break;
            case "error":
                Fail(context, ErrorMessage(e, utf8));
                break;
            default:
                BuiltInToolProgress(type, e, utf8, context);
                break;
        }
    }

    private void Lifecycle(in ResponsesEvent e, ReadOnlySpan<byte> utf8, DecodeContext context, StageStatus status, string? message)
    {
        UpstreamId(context, e.Response?.Id.Text(utf8));
        Timeline.Accepted(context, status, message ?? e.Response?.Model.Text(utf8));
    }

    private void OutputItem(in ResponsesItem item, ReadOnlySpan<byte> utf8, DecodeContext context)
    {
        var itemType = item.Type.Text(utf8);
        var itemId = item.Id.Text(utf8);
        if (itemType is null || itemId is null || !itemType.EndsWith(CallSuffix, StringComparison.Ordinal))
        {
            return;
        }

        var status = item.Status.Text(utf8) ?? LlmToolStatus.InProgress;
        if (_toolIds.TryGetValue(itemId, out var known))
        {
            ToolCall(context, known, status: status);
            return;
        }

        var id = item.CallId.Text(utf8) ?? itemId;
        _toolIds[itemId] = id;
        var name = item.Name.Text(utf8) ?? itemType[..^CallSuffix.Length];
        ToolCall(context, id, name, item.Arguments.Text(utf8), status);
    }

    /// <summary><c>response.web_search_call.searching</c>, <c>response.file_search_call.completed</c>, …</summary>
    private void BuiltInToolProgress(string type, in ResponsesEvent e, ReadOnlySpan<byte> utf8, DecodeContext context)
    {
        // Exactly three dot-separated parts: "response", a tool ending in "_call", a status.
        if (!type.StartsWith(EventPrefix, StringComparison.Ordinal))
        {
            return;
        }

        var rest = type.AsSpan(EventPrefix.Length);
        var dot = rest.IndexOf('.');
        if (dot < 0 || rest[(dot + 1)..].Contains('.') || !rest[..dot].EndsWith(CallSuffix, StringComparison.Ordinal))
        {
            return;
        }

        if (e.ItemId.Text(utf8) is { } itemId)
        {
            ToolCall(context, _toolIds.GetValueOrDefault(itemId, itemId), status: rest[(dot + 1)..].ToString());
        }
    }

    private static void ReportUsage(in ResponsesEvent e, DecodeContext context)
    {
        if (e.Response?.Usage is { } usage)
        {
            Usage(context, usage.ToUsage());
        }
    }

    /// <summary>The <c>error</c> object's message and code, else the top-level ones, else whatever the upstream said.</summary>
    private static string ErrorMessage(in ResponsesEvent e, ReadOnlySpan<byte> utf8)
    {
        var words = e.Error ?? e.Top;
        var message = words.Message.Text(utf8) ?? Utf8Value.Whole(utf8).ErrorMessage(utf8) ?? "upstream error";
        return words.Code.Text(utf8) is { } code ? $"{message} ({code})" : message;
    }
}
