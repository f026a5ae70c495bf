using System.Text.Json;
using Dashboard.Backends.Common;
using Dashboard.Backends.Llm;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Security;

namespace Dashboard.Backends.OpenAiChat;

/// <summary>
/// Chat Completions chunks: text at <c>choices[0].delta.content</c>, tool calls in pieces keyed by
/// their index (only the first piece carries the id and name), usage on the last chunk
/// (<c>choices: []</c>), <c>[DONE]</c> at the end, <c>{"error": …}</c> mid-stream.
/// </summary>
public sealed class OpenAiChatDecoder : LlmDecoder
{
    private readonly Dictionary<int, string> _toolIds = [];
    private readonly RecentStrings _recent = new();
    private string? _finishReason;

    protected override void DecodeItem(in SseItem item, DecodeContext context)
    {
        if (DoneTerminatedDecoder.IsDone(item))
        {
            foreach (var id in _toolIds.Values)
            {
                ToolCall(context, id, status: LlmToolStatus.Completed);
            }

            Complete(context, _finishReason);
            return;
        }

        // The common chunk in one pass over the received bytes; the rest through a document.
        if (OpenAiChatChunk.TryRead(item.Utf8().Span, out var chunk, _recent))
        {
            Apply(chunk, context);
            return;
        }

        using var doc = Parse(item);
        var root = doc.RootElement;
        if (root.Prop("error") is { } error)
        {
            Fail(context, UpstreamError.FromElement(error) ?? "upstream error");
            return;
        }

        UpstreamId(context, root.Str("id"));
        Timeline.Accepted(context, StageStatus.Completed, root.Str("model"));

        // n > 1 is not requested, so the answer is choice 0 (llama.cpp and vLLM send the same shape).
        var choice = root.Arr("choices").FirstOrDefault(c => (c.Int("index") ?? 0) == 0);
        if (choice.ValueKind == JsonValueKind.Object)
        {
            DecodeChoice(choice, context);
        }

        if (root.Obj("usage") is { } usage)
        {
            Usage(context, new Usage(usage.Int("prompt_tokens"), usage.Int("completion_tokens"), usage.Int("total_tokens")));
        }
    }

    private void Apply(in OpenAiChatChunk chunk, DecodeContext context)
    {
        UpstreamId(context, chunk.Id);
        Timeline.Accepted(context, StageStatus.Completed, chunk.Model);
        if (chunk.HasChoice)
        {
            Text(context, chunk.Thinking, channel: TextChannel.Thinking);
            Text(context, chunk.Content);
            _finishReason = chunk.FinishReason ?? _finishReason;
        }

        if (chunk.Usage is { } usage)
        {
            Usage(context, usage);
        }
    }

    private void DecodeChoice(JsonElement choice, DecodeContext context)
    {
        if (choice.Obj("delta") is { } delta)
        {
            // reasoning_content: what DeepSeek, vLLM and llama.cpp stream for a model's thinking.
            Text(context, delta.Str("reasoning_content"), channel: TextChannel.Thinking);
            Text(context, delta.Str("content"));
            foreach (var call in delta.Arr("tool_calls"))
            {
                DecodeToolCall(call, context);
            }
        }

        _finishReason = choice.Str("finish_reason") ?? _finishReason;
    }

    private void DecodeToolCall(JsonElement call, DecodeContext context)
    {
        var index = call.Int("index") ?? 0;
        var function = call.Obj("function");
        var name = function?.Str("name");
        var arguments = function?.Str("arguments");
        if (!_toolIds.TryGetValue(index, out var id))
        {
            // Some OpenAI-compatible servers omit the id; the index still names the call.
            id = call.Str("id") ?? $"call_{index}";
            _toolIds[index] = id;
            ToolCall(context, id, name, arguments, LlmToolStatus.InProgress);
            return;
        }

        if (!string.IsNullOrEmpty(arguments) || name is not null)
        {
            ToolCall(context, id, name, arguments);
        }
    }
}
