using Bunit;
using Dashboard.Components.Pages;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Runs;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Components;

/// <summary>The run page says what the run's byte budgets cut and dropped (the API's valuesCut and valuesDropped).</summary>
public sealed class RunBudgetNoticeTests : LiveTestContext
{
    public RunBudgetNoticeTests()
    {
        Services.Configure<DashboardOptions>(o =>
        {
            o.Limits.StageMessageBytes = 1024;
            o.Limits.RunBytes = 8192;
        });
        Services.AddSingleton<IRunLauncher>(sp => new TestRunLauncher(
            sp.GetRequiredService<Dashboard.Events.IEventHub>(), Time, [new RunBackend("codegen", "codegen", false, [])], _ => []));
    }

    private void Stage(string id, int n, string message) =>
        Publish(new RunStageReported { Backend = "codegen", At = At(n), RunId = id, Stage = $"step-{n}", Status = StageStatus.Running, Message = message });

    [Fact]
    public void A_cut_message_and_entries_over_the_run_budget_are_counted_on_the_page()
    {
        Publish(new RunCreated { Backend = "codegen", At = At(0), RunId = "r1", Prompt = "Build it" });
        Stage("r1", 1, new string('m', 3000));
        // Tool calls are never evicted: ten of 1.8 KB each cannot all fit the 8 KB run budget.
        for (var n = 1; n <= 10; n++)
        {
            Publish(new RunToolCallUpdated { Backend = "codegen", At = At(n + 1), RunId = "r1", ToolCallId = $"call-{n}", Name = "write_file", ArgumentsDelta = new string('a', 900) });
        }

        var cut = Render<RunDetail>(p => p.Add(x => x.Id, "r1"));

        var view = Hub.State.GetRun("r1")!;
        Assert.Equal(1, view.ValuesCut);
        Assert.True(view.ValuesDropped > 0, "the 8 KB run budget holds fewer than ten 1.8 KB tool calls");
        var notice = cut.Find("#run-budget");
        Assert.Equal("1", notice.GetAttribute("data-values-cut"));
        Assert.Equal(view.ValuesDropped.ToString(System.Globalization.CultureInfo.InvariantCulture), notice.GetAttribute("data-values-dropped"));
        Assert.Contains("1 value cut to the size budget", notice.TextContent, StringComparison.Ordinal);
        Assert.Contains($"{view.ValuesDropped} entries dropped", notice.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_within_its_budgets_shows_no_notice()
    {
        Publish(new RunCreated { Backend = "codegen", At = At(0), RunId = "r2", Prompt = "Build it" });
        Stage("r2", 1, "short");

        var cut = Render<RunDetail>(p => p.Add(x => x.Id, "r2"));

        Assert.Contains("step-1", cut.Markup, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("#run-budget"));
    }
}
