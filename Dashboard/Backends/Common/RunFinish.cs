using System.Text.Json;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Backends.Common;

/// <summary>How a client ends a run that failed, and how an upstream failure is worded.</summary>
public static class RunFinish
{
    /// <summary>Ends the run failed, with a failed stage naming where it broke.</summary>
    public static void Fail(this RunContext run, string stage, string error)
    {
        run.Stage(stage, StageStatus.Failed, error);
        run.End(RunStatus.Failed, error);
    }

    /// <summary>
    /// The run's outcome could not be learned from the upstream: it fails, except a run followed
    /// again after a restart, which ends interrupted (the upstream may still finish it).
    /// </summary>
    public static void FailUnsettled(this RunContext run, string stage, string error)
    {
        if (!run.Resumed)
        {
            run.Fail(stage, error);
            return;
        }

        run.Stage(stage, StageStatus.Failed, error);
        run.End(RunStatus.Interrupted, ResumeFailedMessage(error));
    }

    public static string ResumeFailedMessage(string error) =>
        $"The dashboard restarted while this run was in flight and could not follow it again ({error}); the text received until then is kept.";

    public static string Describe(StreamOutcome outcome) => outcome.End switch
    {
        StreamEnd.EndedWithoutTerminal => outcome.Error is { } e ? $"stream ended without a terminal event: {e}" : "stream ended without a terminal event",
        StreamEnd.Failed when outcome.HttpStatus is { } status => UpstreamError.Describe(status, outcome.ErrorBody),
        StreamEnd.Cancelled => "stream cancelled",
        _ => outcome.Error ?? "stream failed",
    };

    /// <summary>The message of a failure talking to an upstream (not cancellation).</summary>
    public static string Describe(Exception error) => error switch
    {
        UpstreamHttpException => error.Message,
        HttpRequestException => $"cannot reach upstream: {error.Message}",
        JsonException => $"unexpected answer from upstream: {error.Message}",
        TimeoutException or TaskCanceledException => "upstream did not answer in time",
        _ => error.Message,
    };

    /// <summary>True for failures of the upstream exchange that end a run (as opposed to bugs).</summary>
    public static bool IsUpstreamFailure(Exception error, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested &&
        error is UpstreamHttpException or HttpRequestException or JsonException or TimeoutException or TaskCanceledException or IOException;
}
