using System.Text.Json;
using Dashboard.Backends.Common;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Security;

namespace Dashboard.Backends.Llm;

/// <summary>
/// What the four LLM decoders share: the synthesized timeline, the terminal outcome the client
/// turns into RunEnded, and helpers that stamp domain events. Items after the terminal one are
/// ignored (nothing valid follows an end or an error).
/// </summary>
public abstract class LlmDecoder : IRunStreamDecoder
{
    private string? _upstreamId;

    public LlmTimeline Timeline { get; } = new();

    public bool IsTerminal { get; private set; }

    /// <summary>Set when the stream ended with an upstream error (the run fails with this message).</summary>
    public string? Failure { get; private set; }

    public RunOutcome? Outcome => !IsTerminal ? null : Failure is null ? RunOutcome.Completed : RunOutcome.Failed(Failure);

    public void Decode(in SseItem item, DecodeContext context)
    {
        if (!IsTerminal)
        {
            DecodeItem(item, context);
        }
    }

    protected abstract void DecodeItem(in SseItem item, DecodeContext context);

    /// <summary>Ends the answer with an error, keeping what was received; the client reports RunEnded.</summary>
    public void Fail(DecodeContext context, string reason)
    {
        if (IsTerminal)
        {
            return;
        }

        IsTerminal = true;
        Failure = reason;
        Timeline.Failed(context, Failure);
    }

    protected void Complete(DecodeContext context, string? reason)
    {
        IsTerminal = true;
        Timeline.Done(context, reason);
    }

    protected void Text(DecodeContext context, string? text, TextMode mode = TextMode.Append, TextChannel channel = TextChannel.Output)
    {
        if (string.IsNullOrEmpty(text) && mode == TextMode.Append)
        {
            return;
        }

        Timeline.Token(context);
        context.Emit(new RunTextReceived
        {
            Backend = context.Backend, At = context.Now, RunId = context.RequireRunId(),
            Text = text ?? "", Mode = mode, Channel = channel,
        });
    }

    protected void ToolCall(DecodeContext context, string id, string? name = null, string? argumentsDelta = null, string? status = null, string? detail = null)
    {
        Timeline.Token(context);
        context.Emit(new RunToolCallUpdated
        {
            Backend = context.Backend, At = context.Now, RunId = context.RequireRunId(),
            ToolCallId = id, Name = name, ArgumentsDelta = string.IsNullOrEmpty(argumentsDelta) ? null : argumentsDelta,
            Status = status, Detail = detail,
        });
    }

    protected static void Usage(DecodeContext context, Usage usage) =>
        context.Emit(new RunUsageReported { Backend = context.Backend, At = context.Now, RunId = context.RequireRunId(), Usage = usage });

    /// <summary>Reports the upstream's id (chatcmpl-…, resp_…, msg_…) the first time it is seen.</summary>
    protected void UpstreamId(DecodeContext context, string? id)
    {
        if (_upstreamId is not null || string.IsNullOrEmpty(id))
        {
            return;
        }

        _upstreamId = id;
        context.Emit(new RunUpstreamIdAssigned { Backend = context.Backend, At = context.Now, RunId = context.RequireRunId(), UpstreamId = id });
    }

    /// <summary>Parses an item's data; malformed JSON throws <see cref="JsonException"/> for the runner to count.</summary>
    protected static JsonDocument Parse(in SseItem item) => JsonDocument.Parse(item.Utf8());
}
