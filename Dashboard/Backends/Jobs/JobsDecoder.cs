using Dashboard.Backends.Common;
using Dashboard.Domain;

namespace Dashboard.Backends.Jobs;

/// <summary>
/// Job progress (docs/protocols.md, "Job progress"): <c>{"status","progress" 0–100,"message"}</c> becomes a stage
/// named after the status with progress/100; <c>[DONE]</c> ends the run completed, status
/// <c>failed</c> or an error (<c>event: error</c> or an <c>error</c> field) ends it failed.
/// </summary>
public sealed class JobsDecoder() : DoneTerminatedDecoder("job stream reported an error", "status", "progress", "message")
{
    private static readonly KnownNames Statuses = new("running", "queued", "pending", "completed", "failed", "error", "cancelled");

    private protected override void OnMessage(in Utf8Message message, DecodeContext context)
    {
        var status = message.String("status", Statuses);
        var progress = message.Number("progress");
        if (status is null && progress is null)
        {
            return;
        }

        var text = message.String("message");
        var stageStatus = status switch
        {
            "completed" => StageStatus.Completed,
            "failed" or "error" => StageStatus.Failed,
            "cancelled" => StageStatus.Cancelled,
            _ => StageStatus.Running,
        };
        context.Stage(status ?? "progress", stageStatus, text, RunEvents.Progress(progress / 100));

        if (stageStatus == StageStatus.Failed)
        {
            Outcome = RunOutcome.Failed(text ?? "job failed");
        }
    }
}
