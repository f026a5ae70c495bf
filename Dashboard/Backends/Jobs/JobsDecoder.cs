using System.Text.Json;
using Dashboard.Backends.Common;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Backends.Jobs;

/// <summary>
/// Job progress (PROTOCOLS.md §5): <c>{"status","progress" 0–100,"message"}</c> becomes a stage
/// named after the status with progress/100; <c>[DONE]</c> ends the run completed, status
/// <c>failed</c> or an error (<c>event: error</c> or an <c>error</c> field) ends it failed.
/// </summary>
public sealed class JobsDecoder : IRunStreamDecoder
{
    public RunOutcome? Outcome { get; private set; }

    public bool IsTerminal => Outcome is not null;

    public void Decode(in SseItem item, DecodeContext context)
    {
        if (item.EventType == "error")
        {
            Fail(context, UpstreamError.ExtractMessage(item.Data) ?? "job stream reported an error");
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
            Fail(context, UpstreamError.FromElement(error) ?? "job stream reported an error");
            return;
        }

        var status = JsonFields.String(root, "status");
        var progress = JsonFields.Number(root, "progress");
        if (status is null && progress is null)
        {
            return;
        }

        var message = JsonFields.String(root, "message");
        var stageStatus = status switch
        {
            "completed" => StageStatus.Completed,
            "failed" or "error" => StageStatus.Failed,
            "cancelled" => StageStatus.Cancelled,
            _ => StageStatus.Running,
        };
        context.Stage(status ?? "progress", stageStatus, message, RunEvents.Progress(progress / 100));

        if (stageStatus == StageStatus.Failed)
        {
            Outcome = RunOutcome.Failed(message ?? "job failed");
        }
    }

    private void Fail(DecodeContext context, string error)
    {
        context.Stage("error", StageStatus.Failed, error);
        Outcome = RunOutcome.Failed(error);
    }
}
