using Bunit;
using Dashboard.Components.Pages;
using Dashboard.Domain;
using Dashboard.Storage;
using Dashboard.Tests.Components;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Storage;

/// <summary>The runs page over the history: search with the match shown, deep links, flagged values, paging, history off.</summary>
public sealed class RunsPageTests : LiveTestContext
{
    [Fact]
    public void A_search_lists_only_matching_runs_and_marks_the_match()
    {
        Publish([.. StoreHarness.Run("run-z", "about a zebra", ["stripes"]), .. StoreHarness.Run("run-p", "plain", ["nothing"], start: 10)]);
        Navigate("runs?q=zebra");

        var cut = Render<RunsPage>();

        Assert.Equal(["run-z"], cut.FindAll(".runs-table tbody tr").Select(r => r.GetAttribute("data-run")));
        Assert.Equal("zebra", cut.Find(".run-match mark").TextContent);
    }

    [Fact]
    public void Unknown_values_in_the_link_are_flagged_and_never_echoed()
    {
        Publish([.. StoreHarness.Run("run-a", "prompt", ["text"])]);
        Navigate("runs?status=%3Cscript%3Eevil&sort=sideways&range=forever");

        var cut = Render<RunsPage>();

        var flagged = cut.Find("#runs-flagged").TextContent;
        Assert.Contains("status", flagged, StringComparison.Ordinal);
        Assert.Contains("sort", flagged, StringComparison.Ordinal);
        Assert.Contains("time range", flagged, StringComparison.Ordinal);
        Assert.DoesNotContain("evil", cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("sideways", cut.Markup, StringComparison.Ordinal);
        Assert.Equal(["run-a"], cut.FindAll(".runs-table tbody tr").Select(r => r.GetAttribute("data-run")));
    }

    [Fact]
    public void Pages_hold_fifty_runs_and_the_older_button_follows_the_cursor_in_the_url()
    {
        for (var i = 0; i < 60; i++)
        {
            Publish([.. StoreHarness.Run($"run-{i:00}", $"prompt {i}", ["x"], start: i * 10)]);
        }

        Navigate("runs");
        var cut = Render<RunsPage>();
        Assert.Equal(50, cut.FindAll(".runs-table tbody tr").Count);
        Assert.Equal("run-59", cut.FindAll(".runs-table tbody tr")[0].GetAttribute("data-run"));

        cut.Find("#runs-next").Click();
        var navigation = Services.GetRequiredService<NavigationManager>();
        Assert.Contains("before=", navigation.Uri, StringComparison.Ordinal);
        var older = Render<RunsPage>();
        Assert.Equal(Enumerable.Range(0, 10).Reverse().Select(i => $"run-{i:00}"), older.FindAll(".runs-table tbody tr").Select(r => r.GetAttribute("data-run")));
    }

    [Fact]
    public void History_off_is_shown()
    {
        Navigate("runs");
        Assert.NotNull(Render<RunsPage>().Find("#history-off"));
        Assert.False(Services.GetRequiredService<IHistoryStore>().IsDurable);
    }

    private void Navigate(string uri) => Services.GetRequiredService<NavigationManager>().NavigateTo(uri);
}
