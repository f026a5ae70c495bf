using System.Text.RegularExpressions;
using Bunit;
using Dashboard.Components.Pages;
using Dashboard.Domain;
using Dashboard.Runs;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Components;

/// <summary>An ended run: its stages are over, it can be started again, and cancelling a live one asks first.</summary>
public sealed partial class RunDetailEndedTests : LiveTestContext
{
    public RunDetailEndedTests() =>
        Services.AddSingleton<IRunLauncher>(sp => new TestRunLauncher(
            sp.GetRequiredService<Dashboard.Events.IEventHub>(), Time, [new RunBackend("codegen", "codegen", false, [])], _ => []));

    private TestRunLauncher Launcher => (TestRunLauncher)Services.GetRequiredService<IRunLauncher>();

    private void Run(string id, RunStatus? end, params string[] stages)
    {
        Publish(new RunCreated { Backend = "codegen", At = At(0), RunId = id, Prompt = "Build a todo app" });
        for (var i = 0; i < stages.Length; i++)
        {
            Publish(
                new RunStageReported { Backend = "codegen", At = At(i + 1), RunId = id, Stage = stages[i], Status = StageStatus.Running, Progress = 0.1 * (i + 1) },
                new RunStageReported { Backend = "codegen", At = At(i + 1.5), RunId = id, Stage = stages[i], Status = StageStatus.Running, Progress = 0.1 * (i + 1) + 0.05 });
        }

        if (end is { } status)
        {
            Publish(new RunEnded { Backend = "codegen", At = At(stages.Length + 2), RunId = id, Status = status });
        }
    }

    private IRenderedComponent<RunDetail> Open(string id) => Render<RunDetail>(p => p.Add(x => x.Id, id));

    // Visible text only: attributes (tooltips keep the upstream's raw status) are stripped.
    private static string VisibleText(IRenderedComponent<RunDetail> cut) => Tags().Replace(cut.Markup, " ");

    [Fact]
    public void A_completed_run_shows_every_stage_over_and_the_word_running_nowhere()
    {
        Run("r1", RunStatus.Completed, "plan", "context_building", "code", "review");

        var cut = Open("r1");

        Assert.Equal(["completed", "completed", "completed", "completed"], cut.FindAll("tr[data-stage]").Select(r => r.GetAttribute("data-stage-status")));
        Assert.DoesNotContain("running", VisibleText(cut), StringComparison.OrdinalIgnoreCase);
        // The upstream's own word stays available in a tooltip.
        Assert.Contains("Upstream last reported \"running\"", cut.Find("tr[data-stage='plan'] .mud-chip").GetAttribute("title"), StringComparison.Ordinal);
        Assert.Equal(4, cut.FindAll(".waterfall li .waterfall-bar.waterfall-completed").Count);
    }

    [Fact]
    public void A_live_run_shows_past_stages_done_and_the_current_one_running()
    {
        Run("r1", null, "plan", "code");

        var cut = Open("r1");

        Assert.Equal(["completed", "running"], cut.FindAll("tr[data-stage]").Select(r => r.GetAttribute("data-stage-status")));
    }

    [Theory]
    [InlineData(RunStatus.Completed)]
    [InlineData(RunStatus.Failed)]
    [InlineData(RunStatus.Cancelled)]
    public void Every_ended_run_offers_run_again_with_its_own_id(RunStatus status)
    {
        Run("r/1", status, "plan");

        var cut = Open("r/1");

        Assert.Equal("runs/new?again=r%2F1", cut.Find("#run-again").GetAttribute("href"));
        Assert.Empty(cut.FindAll("#cancel-run"));
    }

    [Fact]
    public void Cancel_asks_first_and_keep_running_cancels_nothing()
    {
        Run("r1", null, "plan");
        var cut = Open("r1");
        Assert.Empty(cut.FindAll("#run-again"));

        cut.Find("#cancel-run").Click();
        cut.Find("#cancel-run-keep").Click();

        Assert.Empty(Launcher.Cancelled);
        Assert.NotNull(cut.Find("#cancel-run"));
    }

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Tags();
}
