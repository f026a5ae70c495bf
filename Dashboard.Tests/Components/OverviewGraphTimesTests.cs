using Bunit;
using Dashboard.Components.Pages;
using Dashboard.Domain;

namespace Dashboard.Tests.Components;

/// <summary>Graph figures age apart (counts on every update, edges only with a full snapshot): each says when it was last updated.</summary>
public sealed class OverviewGraphTimesTests : LiveTestContext
{
    private static GraphStatsObserved Graph(DateTimeOffset at, int nodes, int? edges) => new()
    {
        Backend = "dreamer",
        At = at,
        Stats = new GraphStats(nodes, edges, edges is { } e ? Math.Round((double)e / nodes, 3) : null,
            new Dictionary<string, int> { ["HOT"] = nodes }, new Dictionary<string, int> { ["FACT"] = nodes }),
    };

    private static string AtText(IRenderedComponent<Overview> cut, string label) =>
        cut.Find($"[data-graph='dreamer'] [data-stat-at='{label}'] time").TextContent;

    [Fact]
    public void Each_figure_shows_the_time_it_was_last_updated()
    {
        var cut = Render<Overview>();

        Publish(Graph(At(0), 40, 57));
        Time.Advance(TimeSpan.FromSeconds(65));
        Publish(Graph(At(65), 43, null));

        cut.WaitForAssertion(() => Assert.Equal("43", cut.Find("[data-graph='dreamer'] [data-stat='Nodes']").TextContent.Trim()));
        Assert.Equal("57", cut.Find("[data-graph='dreamer'] [data-stat='Edges']").TextContent.Trim());
        Assert.Equal("12:01:05 (0 s ago)", AtText(cut, "Nodes"));
        Assert.Equal("12:00:00 (1 min ago)", AtText(cut, "Edges"));
        Assert.Equal("12:00:00 (1 min ago)", AtText(cut, "Avg. entanglement"));
        Assert.StartsWith("12:01:05", cut.Find("[data-graph='dreamer'] [data-figure-at='tiers'] time").TextContent, StringComparison.Ordinal);

        // A new snapshot, five seconds later, brings edges up to date.
        Time.Advance(TimeSpan.FromSeconds(5));
        Publish(Graph(At(70), 43, 61));
        cut.WaitForAssertion(() => Assert.Equal("61", cut.Find("[data-graph='dreamer'] [data-stat='Edges']").TextContent.Trim()));
        Assert.StartsWith("12:01:10", AtText(cut, "Edges"), StringComparison.Ordinal);
    }

    [Fact]
    public void Edges_never_loaded_say_so_and_carry_no_time()
    {
        var cut = Render<Overview>();

        Publish(Graph(At(0), 40, null));

        cut.WaitForAssertion(() => Assert.Equal("n/a", cut.Find("[data-graph='dreamer'] [data-stat='Edges']").TextContent.Trim()));
        Assert.Empty(cut.FindAll("[data-graph='dreamer'] [data-stat-at='Edges']"));
        Assert.NotEmpty(cut.FindAll("[data-graph='dreamer'] [data-stat-at='Nodes']"));
    }
}
