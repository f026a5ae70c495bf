using Bunit;
using Dashboard.Backends;
using Dashboard.Components.Pages;
using Dashboard.Domain;
using Dashboard.Runs;
using Dashboard.State;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Components;

public sealed class RunDetailPageTests : LiveTestContext
{
    public RunDetailPageTests() =>
        Services.AddSingleton<IRunLauncher>(sp => new TestRunLauncher(
            sp.GetRequiredService<Dashboard.Events.IEventHub>(), Time, [new RunBackend("codegen", "codegen", false, [])], _ => []));

    private TestRunLauncher Launcher => (TestRunLauncher)Services.GetRequiredService<IRunLauncher>();

    private RunCreated Created(string id, double at, string backend = "codegen") =>
        new() { Backend = backend, At = At(at), RunId = id, Prompt = "Build a todo app" };

    private RunStageReported Stage(string id, string stage, double at, double? progress = null, StageStatus status = StageStatus.Running) =>
        new() { Backend = "codegen", At = At(at), RunId = id, Stage = stage, Status = status, Progress = progress, Message = $"{stage} started" };

    private RunEnded Ended(string id, double at, RunStatus status = RunStatus.Completed, string? error = null) =>
        new() { Backend = "codegen", At = At(at), RunId = id, Status = status, Error = error };

    private IRenderedComponent<RunDetail> Open(string id) => Render<RunDetail>(p => p.Add(x => x.Id, id));

    private static string StatText(IRenderedComponent<RunDetail> cut, string label) => cut.Find($"[data-stat='{label}']").TextContent.Trim();

    [Fact]
    public void Timeline_lists_stages_in_order_with_durations_and_progress_follows_live()
    {
        Publish(Created("r1", 0));
        var cut = Open("r1");
        Assert.Contains("No stage reported yet", cut.Markup, StringComparison.Ordinal);

        Publish(Stage("r1", "plan", 2, 0.1), Stage("r1", "code", 5, 0.5, StageStatus.Running));

        cut.WaitForAssertion(() =>
        {
            var rows = cut.FindAll(".run-timeline tbody tr");
            Assert.Equal(["plan", "code"], rows.Select(r => r.GetAttribute("data-stage")));
            // plan lasted until code started; code runs on (the clock still shows the start).
            Assert.Equal("3 s", rows[0].Children[1].TextContent.Trim());
            Assert.Equal("0 s", rows[1].Children[1].TextContent.Trim());
            Assert.Contains("code started", rows[1].TextContent, StringComparison.Ordinal);
        });
        Assert.Equal("0.5", cut.Find("[data-progress]").GetAttribute("data-progress"));
        Assert.Equal("50%", cut.Find("[data-progress]").TextContent.Trim().Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal("code", StatText(cut, "Stage"));
    }

    [Fact]
    public void Remaining_time_is_unknown_without_completed_runs_of_the_backend()
    {
        Publish(Created("r1", 0), Stage("r1", "code", 0, 0.9));
        var cut = Open("r1");

        Assert.Equal("unknown", StatText(cut, "Time remaining"));
    }

    [Fact]
    public void Remaining_time_shows_its_basis_from_completed_runs()
    {
        Publish(
            Created("a", -200), Stage("a", "code", -190), Ended("a", -150),
            Created("b", -100), Stage("b", "code", -100), Ended("b", -60),
            Created("r1", 0), Stage("r1", "code", 0, 0.2));
        Time.Advance(TimeSpan.FromSeconds(10));
        var cut = Open("r1");

        Assert.Equal("≈ 30 s, from 2 runs", StatText(cut, "Time remaining"));
        Assert.Equal("10 s", StatText(cut, "Elapsed"));
    }

    [Fact]
    public void Cancel_shows_while_running_and_the_cancelled_state_replaces_it()
    {
        Publish(Created("r1", 0), Stage("r1", "code", 1));
        var cut = Open("r1");
        Assert.Single(cut.FindAll("#cancel-run"));

        cut.Find("#cancel-run").Click();
        // Cancelling asks first.
        Assert.Empty(Launcher.Cancelled);
        cut.Find("#cancel-run-confirm").Click();

        Assert.Equal(["r1"], Launcher.Cancelled);
        cut.WaitForAssertion(() => Assert.Contains("Cancelled", cut.Find("#run-outcome").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("#cancel-run"));
        Assert.Equal("cancelled", cut.Find("[data-status]").GetAttribute("data-status"));
    }

    [Fact]
    public void Failure_shows_the_upstreams_error_and_no_cancel()
    {
        Publish(Created("r1", 0), Stage("r1", "code", 1));
        var cut = Open("r1");

        Publish(Ended("r1", 3, RunStatus.Failed, "quota exceeded"));

        cut.WaitForAssertion(() => Assert.Equal("Failed: quota exceeded.", cut.Find("#run-outcome").TextContent.Trim()));
        Assert.Contains("mud-alert-filled-error", cut.Find("#run-outcome").ClassName, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("#cancel-run"));
        Assert.Equal("3 s", StatText(cut, "Elapsed"));
        Assert.Empty(cut.FindAll("[data-stat='Time remaining']"));
    }

    [Fact]
    public void Completed_run_offers_iteration_on_it()
    {
        Publish(Created("r1", 0), Ended("r1", 2));
        var cut = Open("r1");

        Assert.StartsWith("Completed in 2 s", cut.Find("#run-outcome").TextContent.Trim(), StringComparison.Ordinal);
        Assert.EndsWith("runs/new?parent=r1", cut.Find("a#iterate-run").GetAttribute("href"), StringComparison.Ordinal);
    }

    [Fact]
    public void Streamed_text_renders_as_markdown_and_thinking_apart()
    {
        Publish(Created("r1", 0));
        var cut = Open("r1");

        Publish(
            new RunTextReceived { Backend = "codegen", At = At(1), RunId = "r1", Text = "# Plan\n\n- one\n" },
            new RunTextReceived { Backend = "codegen", At = At(1), RunId = "r1", Text = "- two\n" },
            new RunTextReceived { Backend = "codegen", At = At(1), RunId = "r1", Text = "pondering", Channel = TextChannel.Thinking });

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("Plan", cut.Find("#run-output h1").TextContent);
            Assert.Equal(["one", "two"], cut.FindAll("#run-output li").Select(li => li.TextContent));
            // The thinking follows in its own component, rendered on its own wake-up.
            Assert.Contains("Thinking", cut.Markup, StringComparison.Ordinal);
        });
        Assert.DoesNotContain("pondering", cut.Find("#run-output").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void The_output_follows_its_tail_while_the_run_streams_and_stops_when_it_ends()
    {
        var autoscroll = JSInterop.SetupModule("./js/autoscroll.js");
        var follower = autoscroll.SetupModule("follow", _ => true);
        follower.SetupVoid("stop").SetVoidResult();
        Publish(Created("r1", 0), Stage("r1", "code", 1));
        var cut = Open("r1");

        // The text component owns the output box now: it starts following it, live, on its first render.
        cut.WaitForAssertion(() =>
        {
            var follow = autoscroll.VerifyInvoke("follow", calledTimes: 1)[0];
            Assert.False(string.IsNullOrEmpty(((ElementReference)follow.Arguments[0]!).Id));
            Assert.True((bool)follow.Arguments[1]!);
        });

        Publish(new RunTextReceived { Backend = "codegen", At = At(2), RunId = "r1", Text = "# Plan\n\nfirst step" });
        cut.WaitForAssertion(() => Assert.Equal("Plan", cut.Find("#run-output h1").TextContent));
        Assert.Empty(follower.Invocations);

        Publish(Ended("r1", 3));
        cut.WaitForAssertion(() => follower.VerifyInvoke("stop", calledTimes: 1));
        autoscroll.VerifyInvoke("follow", calledTimes: 1);
    }

    [Fact]
    public void Unknown_run_says_so()
    {
        var cut = Open("nope");

        Assert.Contains("Run not found", cut.Markup, StringComparison.Ordinal);
    }
}
