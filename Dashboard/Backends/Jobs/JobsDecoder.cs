using System.Text.Json;
using Dashboard.Backends.Common;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Backends.Jobs;

/// <summary>
/// Job progress (docs/protocols.md, "Job progress"): <c>{"status","progress" 0–100,"message"}</c> becomes a stage
/// named after the status with progress/100; <c>[DONE]</c> ends the run completed, status
/// <c>failed</c> or an error (<c>event: error</c> or an <c>error</c> field) ends it failed.
/// </summary>
public sealed class JobsDecoder() : DoneTerminatedDecoder("job stream reported an error")
{
    protected override void OnMessage(JsonElement message, DecodeContext context)
    {
        var status = JsonFields.String(message, "status");
        var progress = JsonFields.Number(message, "progress");
        if (status is null && progress is null)
        {
            return;
        }

        var text = JsonFields.String(message, "message");
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
