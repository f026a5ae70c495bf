using System.Text;
using System.Text.Json;
using Dashboard.Backends.Common;
using Dashboard.Backends.Llm;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Benchmarks.Ingest;

// The Anthropic, OpenAI Responses and Forge decoders as they were before they read items with
// Utf8JsonReader: each item parsed into a JsonDocument, fields looked up by name. Kept out of the
// product as the naive arm of the dialect benchmark and as the oracle the decoder tests compare
// the one-pass readers with (same events, same errors, for any item).

/// <summary>
/// Messages API stream: content blocks by index (text, thinking, tool_use), input tokens on
/// <c>message_start</c>, cumulative output tokens on <c>message_delta</c>, <c>message_stop</c> at
/// the end, <c>error</c> mid-stream. <c>ping</c> and event types added later are ignored.
/// </summary>
public sealed class DocumentAnthropicDecoder : LlmDecoder
{
    /// <summary>Content block index → tool_use id, for the input_json_delta pieces that follow.</summary>
    private readonly Dictionary<int, string> _toolBlocks = [];
    private int? _inputTokens;
    private int? _outputTokens;
    private string? _stopReason;

    protected override void DecodeItem(in SseItem item, DecodeContext context)
    {
        using var doc = Parse(item);
        var root = doc.RootElement;
        switch (root.TypeOf(item.EventType))
        {
            case "message_start":
                if (root.Obj("message") is { } message)
                {
                    UpstreamId(context, message.Str("id"));
                    Timeline.Accepted(context, StageStatus.Completed, message.Str("model"));
                    ReportUsage(message.Obj("usage"), context);
                }

                break;
            case "content_block_start":
                BlockStart(root, context);
                break;
            case "content_block_delta":
                BlockDelta(root, context);
                break;
            case "content_block_stop":
                if (_toolBlocks.TryGetValue(root.Int("index") ?? 0, out var toolId))
                {
                    ToolCall(context, toolId, status: LlmToolStatus.Completed);
                }

                break;
            case "message_delta":
                _stopReason = root.Obj("delta")?.Str("stop_reason") ?? _stopReason;
                ReportUsage(root.Obj("usage"), context);
                break;
            case "message_stop":
                Complete(context, _stopReason);
                break;
            case "error":
                Fail(context, root.Obj("error") is { } error ? UpstreamError.FromElement(error) ?? "upstream error" : "upstream error");
                break;
        }
    }

    private void BlockStart(JsonElement root, DecodeContext context)
    {
        if (root.Obj("content_block") is not { } block)
        {
            return;
        }

        switch (block.Str("type"))
        {
            case "text":
                Text(context, block.Str("text"));
                break;
            case "thinking":
                Text(context, block.Str("thinking"), channel: TextChannel.Thinking);
                break;
            case "tool_use":
            case "server_tool_use":
                if (block.Str("id") is { } id)
                {
                    _toolBlocks[root.Int("index") ?? 0] = id;
                    ToolCall(context, id, block.Str("name"), status: LlmToolStatus.InProgress);
                }

                break;
        }
    }

    private void BlockDelta(JsonElement root, DecodeContext context)
    {
        if (root.Obj("delta") is not { } delta)
        {
            return;
        }

        switch (delta.Str("type"))
        {
            case "text_delta":
                Text(context, delta.Str("text"));
                break;
            case "thinking_delta":
                Text(context, delta.Str("thinking"), channel: TextChannel.Thinking);
                break;
            case "input_json_delta":
                if (_toolBlocks.TryGetValue(root.Int("index") ?? 0, out var id) && delta.Str("partial_json") is { Length: > 0 } piece)
                {
                    ToolCall(context, id, argumentsDelta: piece);
                }

                break;
        }
    }

    /// <summary>Both counts are totals so far; message_delta may repeat input_tokens or leave it out.</summary>
    private void ReportUsage(JsonElement? usage, DecodeContext context)
    {
        if (usage is not { } u)
        {
            return;
        }

        _inputTokens = u.Int("input_tokens") ?? _inputTokens;
        _outputTokens = u.Int("output_tokens") ?? _outputTokens;
        var total = _inputTokens is { } i && _outputTokens is { } o ? i + o : (int?)null;
        Usage(context, new Usage(_inputTokens, _outputTokens, total));
    }
}

/// <summary>
/// Responses API typed events: text from <c>response.output_text.delta</c>, function calls from
/// <c>response.output_item.added</c> + <c>response.function_call_arguments.delta</c> (keyed by
/// item id), built-in tools from <c>response.&lt;tool&gt;_call.&lt;status&gt;</c>, lifecycle from
/// <c>response.created|queued|in_progress</c>, the end from <c>response.completed|failed|incomplete</c>
/// or <c>error</c>.
/// </summary>
public sealed class DocumentOpenAiResponsesDecoder : LlmDecoder
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

/// <summary>
/// Knowledge Forge snapshot stream: every event's data is the whole Response so far, so text is
/// rebuilt from <c>output[*].content[*]</c> (<c>output_text</c> parts) and sent as a replacement;
/// tool items (<c>*_call</c>) and usage are reported when they change. <c>done</c> ends the
/// stream, <c>error</c> fails it.
/// </summary>
public sealed class DocumentForgeDecoder : LlmDecoder
{
    private readonly Dictionary<string, (string? Status, string? Detail)> _tools = new(StringComparer.Ordinal);
    private string _text = "";
    private Usage? _usage;
    private string? _status;
    private string? _error;

    protected override void DecodeItem(in SseItem item, DecodeContext context)
    {
        switch (item.EventType)
        {
            case "done":
                End(context);
                return;
            case "error":
                // Said as JSON or as plain text: either way it is the upstream's message.
                Fail(context, UpstreamError.ExtractMessage(item.Data) ?? "upstream error");
                return;
        }

        using var doc = Parse(item);
        var root = doc.RootElement;

        // Every other event type (response.created, response.output_text.delta,
        // response.file_search_call.searching, …) carries the same thing: the response so far.
        if (root.ValueKind != JsonValueKind.Object || root.Str("object") is not (null or "response"))
        {
            return;
        }

        UpstreamId(context, root.Str("id"));
        Timeline.Accepted(context, StageStatus.Completed, root.Str("model"));
        _status = root.Str("status") ?? _status;
        _error = root.Prop("error") is { } error ? UpstreamError.FromElement(error) : _error;
        foreach (var output in root.Arr("output"))
        {
            ToolItem(output, context);
        }

        var text = TextOf(root);
        if (text != _text)
        {
            _text = text;
            Text(context, text, TextMode.Replace);
        }

        if (root.Obj("usage") is { } u)
        {
            var usage = new Usage(u.Int("input_tokens"), u.Int("output_tokens"), u.Int("total_tokens"));
            if (usage != _usage)
            {
                _usage = usage;
                Usage(context, usage);
            }
        }
    }

    private void End(DecodeContext context)
    {
        if (_status is "failed" or "incomplete")
        {
            Fail(context, _error ?? $"response {_status}");
            return;
        }

        Complete(context, _status);
    }

    private static string TextOf(JsonElement response)
    {
        var text = new StringBuilder();
        foreach (var output in response.Arr("output"))
        {
            foreach (var part in output.Arr("content"))
            {
                if (part.Str("type") == "output_text")
                {
                    text.Append(part.Str("text"));
                }
            }
        }

        return text.ToString();
    }

    private void ToolItem(JsonElement item, DecodeContext context)
    {
        var type = item.Str("type");
        if (type is null || !type.EndsWith("_call", StringComparison.Ordinal) || item.Str("id") is not { } id)
        {
            return;
        }

        var status = item.Str("status");
        var detail = Detail(item);
        var known = _tools.TryGetValue(id, out var last);
        if (known && last == (status, detail))
        {
            return;
        }

        _tools[id] = (status, detail);
        ToolCall(context, id, known ? null : item.Str("name") ?? type[..^"_call".Length], status: status, detail: detail);
    }

    /// <summary>What a user wants to see of a search: its queries and how many results it found.</summary>
    private static string? Detail(JsonElement item)
    {
        var parts = new List<string>();
        var queries = item.Arr("queries").Where(q => q.ValueKind == JsonValueKind.String).Select(q => q.GetString()).ToList();
        if (queries.Count > 0)
        {
            parts.Add("queries: " + string.Join(", ", queries));
        }

        if (item.Prop("results") is { ValueKind: JsonValueKind.Array } results)
        {
            var count = results.GetArrayLength();
            parts.Add(count == 1 ? "1 result" : $"{count} results");
        }

        return parts.Count > 0 ? string.Join("; ", parts) : null;
    }
}
