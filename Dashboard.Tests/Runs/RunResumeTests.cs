using Dashboard.Backends;
using Dashboard.Backends.Common;
using Dashboard.Domain;
using Dashboard.Tests.TestSupport;

namespace Dashboard.Tests.Runs;

/// <summary>How a run followed again after a restart ends when its outcome cannot be learned.</summary>
public sealed class RunResumeTests
{
    [Fact]
    public void A_resumed_run_whose_outcome_cannot_be_learned_ends_interrupted_and_a_new_run_fails()
    {
        var resumedSink = new RecordingSink();
        var resumed = new RunContext("run-1", new RunRequest("gen", "prompt"), null, resumedSink, TimeProvider.System, "gen-1", resumed: true);
        resumed.FailUnsettled("status_check", "status check failed: 404");

        var ended = Assert.Single(resumedSink.OfType<RunEnded>());
        Assert.Equal(RunStatus.Interrupted, ended.Status);
        Assert.Equal(RunFinish.ResumeFailedMessage("status check failed: 404"), ended.Error);
        Assert.Contains("could not follow it again", ended.Error, StringComparison.Ordinal);
        Assert.Equal(StageStatus.Failed, Assert.Single(resumedSink.OfType<RunStageReported>()).Status);

        var freshSink = new RecordingSink();
        var fresh = new RunContext("run-2", new RunRequest("gen", "prompt"), null, freshSink, TimeProvider.System);
        fresh.FailUnsettled("status_check", "status check failed: 404");
        var failed = Assert.Single(freshSink.OfType<RunEnded>());
        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Equal("status check failed: 404", failed.Error);
    }
}
