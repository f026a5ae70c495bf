using Bunit;
using Dashboard.Components.Pages;
using Dashboard.Domain;
using Dashboard.Tests.Components;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Storage;

/// <summary>The compare page and the run page's history actions.</summary>
public sealed class RunCompareTests : LiveTestContext
{
    public RunCompareTests() =>
        Services.AddSingleton<Dashboard.Runs.IRunLauncher>(sp => new TestRunLauncher(sp.GetRequiredService<Dashboard.Events.IEventHub>(), Time, [], _ => []));

    [Fact]
    public void Two_runs_show_stage_durations_side_by_side_differing_options_and_a_line_diff()
    {
        Publish([.. StoreHarness.Run("run-a", "prompt", ["line one\n", "line two\n"])]);
        Publish([.. StoreHarness.Run("run-b", "prompt", ["line one\n", "line 2\n"], start: 100)
            .Select(e => e is RunCreated c ? c with { ParentRunId = "run-a", Options = new Dictionary<string, System.Text.Json.JsonElement> { ["temperature"] = System.Text.Json.JsonDocument.Parse("0.9").RootElement.Clone() } } : e)]);
        Navigate("runs/compare?a=run-a&b=run-b");

        var cut = Render<RunCompare>();

        var stage = cut.Find(".compare-stages tr[data-stage='generating']");
        Assert.Equal(4, stage.QuerySelectorAll("td").Length);
        Assert.Contains("temperature", cut.Find(".compare-options").TextContent, StringComparison.Ordinal);
        Assert.Contains("0.9", cut.Find(".compare-options").TextContent, StringComparison.Ordinal);
        Assert.Equal(["- line two"], cut.FindAll("#compare-diff .diff-removed").Select(l => l.TextContent));
        Assert.Equal(["+ line 2"], cut.FindAll("#compare-diff .diff-added").Select(l => l.TextContent));
        Assert.Equal(["  line one", "  "], cut.FindAll("#compare-diff .diff-same").Select(l => l.TextContent));
    }

    [Theory]
    [InlineData("runs/compare", "Two runs are needed")]
    [InlineData("runs/compare?a=run-a", "Two runs are needed")]
    [InlineData("runs/compare?a=run-a&b=run-a", "same run")]
    [InlineData("runs/compare?a=run-a&b=run-nope", "Run B is unknown")]
    [InlineData("runs/compare?a=run-nope&b=run-a", "Run A is unknown")]
    public void Missing_identical_or_unknown_ids_get_a_clear_message(string uri, string message)
    {
        Publish([.. StoreHarness.Run("run-a", "prompt", ["x"])]);
        Navigate(uri);

        Assert.Contains(message, Render<RunCompare>().Find("#compare-problem").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void The_run_page_offers_compare_with_parent_download_and_a_two_click_delete()
    {
        Publish([.. StoreHarness.Run("run-a", "prompt", ["x"])]);
        Publish([.. StoreHarness.Run("run-b", "prompt", ["y"], start: 10).Select(e => e is RunCreated c ? c with { ParentRunId = "run-a" } : e)]);

        var cut = Render<RunDetail>(p => p.Add(r => r.Id, "run-b"));

        Assert.Equal("runs/compare?a=run-a&b=run-b", cut.Find("#compare-parent").GetAttribute("href"));
        cut.Find("#delete-run").Click();
        Assert.NotNull(Hub.State.GetRun("run-b"));
        cut.Find("#delete-run").Click();
        Assert.Null(Hub.State.GetRun("run-b"));
        Assert.EndsWith("/runs", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
    }

    private void Navigate(string uri) => Services.GetRequiredService<NavigationManager>().NavigateTo(uri);
}
