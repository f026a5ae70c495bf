using Dashboard.Backends.Common;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Backends.Llm;

/// <summary>
/// Synthesizes the shared <see cref="LlmStages"/> timeline with real timings. Owned by one
/// decoder (one stream); the client reports the request side, the decoder the answer side.
/// </summary>
public sealed class LlmTimeline
{
    private DateTimeOffset? _requestSentAt;
    private string? _openStage;
    private StageStatus? _accepted;

    public bool FirstTokenSeen { get; private set; }

    public void RequestSent(DecodeContext context, int attempt)
    {
        _requestSentAt = context.Now;
        Report(context, LlmStages.Request, StageStatus.Running, attempt > 1 ? $"attempt {attempt}" : null);
        _openStage = LlmStages.Request;
    }

    public void Connected(DecodeContext context)
    {
        Report(context, LlmStages.Request, StageStatus.Completed, $"stream open after {ElapsedMs(context)} ms");
        _openStage = null;
    }

    /// <summary>Reported once per status change, so repeated lifecycle events add no noise.</summary>
    public void Accepted(DecodeContext context, StageStatus status, string? message)
    {
        if (_accepted == status || _accepted == StageStatus.Completed)
        {
            return;
        }

        _accepted = status;
        Report(context, LlmStages.Accepted, status, message);
    }

    /// <summary>Call on every content piece (text, thinking, tool call); only the first one counts.</summary>
    public void Token(DecodeContext context)
    {
        if (FirstTokenSeen)
        {
            return;
        }

        FirstTokenSeen = true;
        Accepted(context, StageStatus.Completed, null);
        Report(context, LlmStages.FirstToken, StageStatus.Completed, $"after {ElapsedMs(context)} ms");
        Report(context, LlmStages.Streaming, StageStatus.Running, null);
        _openStage = LlmStages.Streaming;
    }

    public void Done(DecodeContext context, string? reason)
    {
        CloseOpenStage(context, StageStatus.Completed);
        var total = $"{ElapsedMs(context)} ms";
        Report(context, LlmStages.Done, StageStatus.Completed, reason is null ? $"after {total}" : $"{reason}, after {total}");
    }

    public void Failed(DecodeContext context, string reason)
    {
        CloseOpenStage(context, StageStatus.Failed);
        Report(context, LlmStages.Failed, StageStatus.Failed, reason);
    }

    public void Cancelled(DecodeContext context) => CloseOpenStage(context, StageStatus.Cancelled);

    private void CloseOpenStage(DecodeContext context, StageStatus status)
    {
        if (_openStage is { } open)
        {
            Report(context, open, status, null);
            _openStage = null;
        }
    }

    private long ElapsedMs(DecodeContext context)
    {
        _requestSentAt ??= context.Now;
        return (long)(context.Now - _requestSentAt.Value).TotalMilliseconds;
    }

    private static void Report(DecodeContext context, string stage, StageStatus status, string? message) =>
        context.Stage(stage, status, message);
}
