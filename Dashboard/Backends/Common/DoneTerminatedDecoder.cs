using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Backends.Common;

/// <summary>
/// Framing shared by the simple <c>[DONE]</c>-terminated JSON streams (simple chat and
/// job progress in docs/protocols.md): <c>event: error</c> or an <c>error</c> field ends the run failed, <c>data: [DONE]</c>
/// ends it completed, other event types are ignored; every other message is a JSON object whose
/// fields the kind names, read in one pass over the item's bytes (<see cref="Utf8Message"/>) and
/// handed to <see cref="OnMessage"/>.
/// </summary>
public abstract class DoneTerminatedDecoder : IRunStreamDecoder
{
    private const string ErrorField = "error";

    private readonly string _errorFallback;
    private readonly KnownNames _fields;

    /// <param name="errorFallback">The failure when the upstream gave no words.</param>
    /// <param name="fields">The top-level fields <see cref="OnMessage"/> reads.</param>
    protected DoneTerminatedDecoder(string errorFallback, params ReadOnlySpan<string> fields)
    {
        _errorFallback = errorFallback;
        _fields = new KnownNames([ErrorField, .. fields]);
    }

    public RunOutcome? Outcome { get; protected set; }

    public bool IsTerminal => Outcome is not null;

    public void Decode(in SseItem item, DecodeContext context)
    {
        if (item.EventType == "error")
        {
            Fail(context, UpstreamError.ExtractMessage(item.Data) ?? _errorFallback);
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

        var bytes = item.Utf8();
        var utf8 = bytes.Span;
        var message = new Utf8Message(utf8, _fields, stackalloc Utf8Value[_fields.Count]);
        if (message.Value(ErrorField) is { Exists: true } error)
        {
            Fail(context, error.ErrorMessage(utf8) ?? _errorFallback);
            return;
        }

        OnMessage(message, context);
    }

    /// <summary>The <c>[DONE]</c> sentinel (surrounding white space allowed).</summary>
    public static bool IsDone(in SseItem item) => item.Data.AsSpan().Trim().SequenceEqual("[DONE]");

    /// <summary>One message that is neither an error nor the end: a JSON object.</summary>
    private protected abstract void OnMessage(in Utf8Message message, DecodeContext context);

    private void Fail(DecodeContext context, string error)
    {
        context.Stage("error", StageStatus.Failed, error);
        Outcome = RunOutcome.Failed(error);
    }
}
