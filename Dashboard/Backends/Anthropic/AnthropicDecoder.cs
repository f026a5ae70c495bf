using System.Text.Json;
using Dashboard.Backends.Common;
using Dashboard.Backends.Llm;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Security;

namespace Dashboard.Backends.Anthropic;

/// <summary>
/// Messages API stream: content blocks by index (text, thinking, tool_use), input tokens on
/// <c>message_start</c>, cumulative output tokens on <c>message_delta</c>, <c>message_stop</c> at
/// the end, <c>error</c> mid-stream. <c>ping</c> and event types added later are ignored.
/// </summary>
public sealed class AnthropicDecoder : LlmDecoder
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
