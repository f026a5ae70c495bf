using Bunit;
using Dashboard.Components.Display;
using Dashboard.Components.Pages;
using Dashboard.Domain;

namespace Dashboard.Tests.Components;

/// <summary>
/// The graph history page over a fixed history and a fake clock: every point of a history
/// shorter than the range is shown, and the time axis runs from the first point to the last in
/// the reader's zone (the walk-through saw "2 points (UTC)" and a last label an hour after now).
/// </summary>
public sealed class GraphHistoryPageTests : LiveTestContext
{
    private static GraphStatsObserved Graph(DateTimeOffset at, int nodes) => new()
    {
        Backend = "dreamer",
        At = at,
        Stats = new GraphStats(nodes, null, null, new Dictionary<string, int>(), new Dictionary<string, int>()),
    };

    [Fact]
    public void A_three_hour_history_over_24_h_shows_every_point_with_labels_from_the_first_to_the_last_in_the_readers_zone()
    {
        // 24 points from 09:00 to 12:00 UTC (now): the Overview's tail, seen over the 24 h range.
        for (var i = 0; i < 24; i++)
        {
            Publish(Graph(T0.AddHours(-3).AddMinutes(i * 180.0 / 23), 100 + i));
        }

        var cut = Render<GraphHistoryPage>(p => p.AddCascadingValue(BrowserClock.For("Asia/Tokyo")));

        var caption = cut.Find("[data-graph-caption='dreamer']").TextContent;
        Assert.StartsWith("24 points (times in Asia/Tokyo)", caption, StringComparison.Ordinal);

        // Tokyo is UTC+9 (no daylight saving): 09:00-12:00 UTC is 18:00-21:00 there, in half-hour steps.
        var labels = cut.FindAll("[data-backend='dreamer'] svg .mud-charts-xaxis text").Select(t => t.TextContent.Trim()).ToList();
        Assert.Equal(["18:00", "18:30", "19:00", "19:30", "20:00", "20:30", "21:00"], labels);
    }

    [Fact]
    public void Before_the_browser_zone_is_known_the_axis_and_caption_say_utc()
    {
        Publish(Graph(T0.AddMinutes(-10), 5), Graph(T0, 6));

        var cut = Render<GraphHistoryPage>();

        Assert.StartsWith("2 points (times in UTC)", cut.Find("[data-graph-caption='dreamer']").TextContent, StringComparison.Ordinal);
        var labels = cut.FindAll("[data-backend='dreamer'] svg .mud-charts-xaxis text").Select(t => t.TextContent.Trim()).ToList();
        Assert.Equal("11:50:00", labels[0]);
        Assert.Equal("12:00:00", labels[^1]);
    }
}
