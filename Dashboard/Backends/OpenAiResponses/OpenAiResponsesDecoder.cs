using System.Text.Json;
using Dashboard.Backends.Common;
using Dashboard.Backends.Llm;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Security;

namespace Dashboard.Backends.OpenAiResponses;

/// <summary>
/// Responses API typed events: text from <c>response.output_text.delta</c>, function calls from
/// <c>response.output_item.added</c> + <c>response.function_call_arguments.delta</c> (keyed by
/// item id), built-in tools from <c>response.&lt;tool&gt;_call.&lt;status&gt;</c>, lifecycle from
/// <c>response.created|queued|in_progress</c>, the end from <c>response.completed|failed|incomplete</c>
/// or <c>error</c>.
/// </summary>
public sealed class OpenAiResponsesDecoder : LlmDecoder
{
    /// <summary>Item id → the call id shown for it (function calls are known by their call_id).</summary>
    private readonly Dictionary<string, string> _toolIds = new(StringComparer.Ordinal);

    protected override void DecodeItem(in SseItem item, DecodeContext context)
    {
        using var doc = Parse(item);
        var root = doc.RootElement;
        var type = root.TypeOf(item.EventType);
        switch (type)
        {
            case "response.created":
                Lifecycle(root, context, StageStatus.Completed, null);
                break;
            case "response.queued":
                Lifecycle(root, context, StageStatus.Running, "queued");
                break;
            case "response.in_progress":
                Lifecycle(root, context, StageStatus.Completed, null);
                break;
            case "response.output_text.delta":
            case "response.refusal.delta":
                Text(context, root.Str("delta"));
                break;
            case "response.reasoning_summary_text.delta":
            case "response.reasoning_text.delta":
                Text(context, root.Str("delta"), channel: TextChannel.Thinking);
                break;
            case "response.output_item.added":
            case "response.output_item.done":
                if (root.Obj("item") is { } outputItem)
                {
                    OutputItem(outputItem, context);
                }

                break;
            case "response.function_call_arguments.delta":
                if (root.Str("item_id") is { } itemId)
                {
                    ToolCall(context, _toolIds.GetValueOrDefault(itemId, itemId), argumentsDelta: root.Str("delta"));
                }

                break;
            case "response.completed":
                End(root, context);
                break;
            case "response.failed":
                ReportUsage(root, context);
                Fail(context, root.Obj("response")?.Obj("error") is { } failure
                    ? UpstreamError.FromElement(failure) ?? "response failed"
                    : "response failed");
                break;
            case "response.incomplete":
                ReportUsage(root, context);
                Fail(context, root.Obj("response")?.Obj("incomplete_details")?.Str("reason") is { } reason
                    ? $"incomplete: {reason}"
                    : "incomplete");
                break;
            case "error":
                Fail(context, ErrorMessage(root));
                break;
            default:
                BuiltInToolProgress(type, root, context);
                break;
        }
    }

    private void Lifecycle(JsonElement root, DecodeContext context, StageStatus status, string? message)
    {
        var response = root.Obj("response");
        UpstreamId(context, response?.Str("id"));
        Timeline.Accepted(context, status, message ?? response?.Str("model"));
    }

    private void OutputItem(JsonElement item, DecodeContext context)
    {
        var itemType = item.Str("type");
        var itemId = item.Str("id");
        if (itemType is null || itemId is null || !itemType.EndsWith("_call", StringComparison.Ordinal))
        {
            return;
        }

        var status = item.Str("status") ?? LlmToolStatus.InProgress;
        if (_toolIds.TryGetValue(itemId, out var known))
        {
            ToolCall(context, known, status: status);
            return;
        }

        var id = item.Str("call_id") ?? itemId;
        _toolIds[itemId] = id;
        var name = item.Str("name") ?? itemType[..^"_call".Length];
        ToolCall(context, id, name, item.Str("arguments"), status);
    }

    /// <summary><c>response.web_search_call.searching</c>, <c>response.file_search_call.completed</c>, …</summary>
    private void BuiltInToolProgress(string type, JsonElement root, DecodeContext context)
    {
        var parts = type.Split('.');
        if (parts is ["response", var tool, var status] && tool.EndsWith("_call", StringComparison.Ordinal) && root.Str("item_id") is { } itemId)
        {
            ToolCall(context, _toolIds.GetValueOrDefault(itemId, itemId), status: status);
        }
    }

    private void End(JsonElement root, DecodeContext context)
    {
        ReportUsage(root, context);
        Complete(context, root.Obj("response")?.Str("status"));
    }

    private static void ReportUsage(JsonElement root, DecodeContext context)
    {
        if (root.Obj("response")?.Obj("usage") is { } usage)
        {
            Usage(context, new Usage(usage.Int("input_tokens"), usage.Int("output_tokens"), usage.Int("total_tokens")));
        }
    }

    private static string ErrorMessage(JsonElement root)
    {
        var error = root.Obj("error") ?? root;
        var message = error.Str("message") ?? UpstreamError.FromElement(root) ?? "upstream error";
        return error.Str("code") is { } code ? $"{message} ({code})" : message;
    }
}
