using Dashboard.Backends.Common;
using Dashboard.Backends.Llm;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Backends.Anthropic;

/// <summary>
/// Messages API stream: content blocks by index (text, thinking, tool_use), input tokens on
/// <c>message_start</c>, cumulative output tokens on <c>message_delta</c>, <c>message_stop</c> at
/// the end, <c>error</c> mid-stream. <c>ping</c> and event types added later are ignored. Each
/// event is read in one pass over its UTF-8 bytes (<see cref="AnthropicEvent"/>).
/// </summary>
public sealed class AnthropicDecoder : LlmDecoder
{
    private static readonly KnownNames EventTypes = new(
        "content_block_delta", "content_block_start", "content_block_stop", "message_start", "message_delta", "message_stop", "ping", "error");

    private static readonly KnownNames BlockTypes = new(
        "text_delta", "thinking_delta", "input_json_delta", "signature_delta", "citations_delta", "text", "thinking", "tool_use", "server_tool_use");

    /// <summary>Content block index → tool_use id, for the input_json_delta pieces that follow.</summary>
    private readonly Dictionary<int, string> _toolBlocks = [];
    private int? _inputTokens;
    private int? _outputTokens;
    private string? _stopReason;

    protected override void DecodeItem(in SseItem item, DecodeContext context)
    {
        var bytes = item.Utf8();
        var utf8 = bytes.Span;
        var e = AnthropicEvent.Read(utf8);
        switch (e.Type.Text(utf8, EventTypes) ?? item.EventType)
        {
            case "message_start":
                if (e.Message is { } message)
                {
                    UpstreamId(context, message.Id.Text(utf8));
                    Timeline.Accepted(context, StageStatus.Completed, message.Model.Text(utf8));
                    ReportUsage(message.Usage, context);
                }

                break;
            case "content_block_start":
                BlockStart(e, utf8, context);
                break;
            case "content_block_delta":
                BlockDelta(e, utf8, context);
                break;
            case "content_block_stop":
                if (_toolBlocks.TryGetValue(e.Index ?? 0, out var toolId))
                {
                    ToolCall(context, toolId, status: LlmToolStatus.Completed);
                }

                break;
            case "message_delta":
                _stopReason = e.Delta?.StopReason.Text(utf8) ?? _stopReason;
                ReportUsage(e.Usage, context);
                break;
            case "message_stop":
                Complete(context, _stopReason);
                break;
            case "error":
                Fail(context, e.Error.ErrorMessage(utf8) ?? "upstream error");
                break;
        }
    }

    private void BlockStart(in AnthropicEvent e, ReadOnlySpan<byte> utf8, DecodeContext context)
    {
        if (e.ContentBlock is not { } block)
        {
            return;
        }

        switch (block.Type.Text(utf8, BlockTypes))
        {
            case "text":
                Text(context, block.Text.Text(utf8));
                break;
            case "thinking":
                Text(context, block.Thinking.Text(utf8), channel: TextChannel.Thinking);
                break;
            case "tool_use":
            case "server_tool_use":
                if (block.Id.Text(utf8) is { } id)
                {
                    _toolBlocks[e.Index ?? 0] = id;
                    ToolCall(context, id, block.Name.Text(utf8), status: LlmToolStatus.InProgress);
                }

                break;
        }
    }

    private void BlockDelta(in AnthropicEvent e, ReadOnlySpan<byte> utf8, DecodeContext context)
    {
        if (e.Delta is not { } delta)
        {
            return;
        }

        switch (delta.Type.Text(utf8, BlockTypes))
        {
            case "text_delta":
                Text(context, delta.Text.Text(utf8));
                break;
            case "thinking_delta":
                Text(context, delta.Thinking.Text(utf8), channel: TextChannel.Thinking);
                break;
            case "input_json_delta":
                if (_toolBlocks.TryGetValue(e.Index ?? 0, out var id) && delta.PartialJson.Text(utf8) is { Length: > 0 } piece)
                {
                    ToolCall(context, id, argumentsDelta: piece);
                }

                break;
        }
    }

    /// <summary>Both counts are totals so far; message_delta may repeat input_tokens or leave it out.</summary>
    private void ReportUsage(TokenCounts? usage, DecodeContext context)
    {
        if (usage is not { } u)
        {
            return;
        }

        _inputTokens = u.Input ?? _inputTokens;
        _outputTokens = u.Output ?? _outputTokens;
        var total = _inputTokens is { } i && _outputTokens is { } o ? i + o : (int?)null;
        Usage(context, new Usage(_inputTokens, _outputTokens, total));
    }
}
