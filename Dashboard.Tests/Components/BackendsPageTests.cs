using Bunit;
using Dashboard.Components.Pages;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Ingest.Monitoring;
using Dashboard.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.Components;

/// <summary>The Backends page over the real ingest monitors (health into the real hub, the real inspector ring).</summary>
public sealed class BackendsPageTests : LiveTestContext
{
    private const int Ring = 3;

    public BackendsPageTests()
    {
        Services.Configure<DashboardOptions>(o => o.Limits.InspectorCapacity = Ring);
        Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DashboardOptions>>();
            return new BackendMonitors(options, new SecretRedactor(options), sp.GetRequiredService<Dashboard.Events.IEventHub>(),
                Time, new IngestTimings(), NullLogger<BackendMonitors>.Instance);
        });
        Services.AddSingleton<IRawEventLog>(sp => sp.GetRequiredService<BackendMonitors>());
    }

    private BackendMonitor Dreamer() => Services.GetRequiredService<BackendMonitors>().Register("dreamer", "codedreamer", isDemo: true);

    private static void Record(BackendMonitor monitor, int from, int to)
    {
        for (var i = from; i <= to; i++)
        {
            monitor.RecordItem(new SseItem("message", $"{{\"nodes\": {i}}}", ""));
        }
    }

    private static IEnumerable<string?> Seqs(IRenderedComponent<BackendsPage> cut) =>
        // Item rows only: the virtualized list adds spacer rows around them.
        cut.FindAll(".inspector-table tbody tr[data-seq]").Select(r => r.GetAttribute("data-seq"));

    [Fact]
    public void Shows_each_backends_health_and_demo_badge()
    {
        var monitor = Dreamer();
        monitor.RecordReconnect();
        monitor.ReportError("connection refused");
        Time.Advance(TimeSpan.FromSeconds(2));

        var cut = Render<BackendsPage>();

        var card = cut.Find("[data-backend='dreamer']");
        Assert.Contains("DEMO", card.TextContent, StringComparison.Ordinal);
        Assert.Contains("codedreamer", card.TextContent, StringComparison.Ordinal);
        Assert.Contains("connection refused", card.QuerySelector(".last-error")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Shows_how_many_values_were_cut_and_ids_not_resent()
    {
        var monitor = Dreamer();
        // An id and an event type over the 1 KB budget: two values cut; one short item: none.
        monitor.RecordItem(new SseItem(new string('t', 2000), "{}", new string('i', 3000)));
        monitor.RecordItem(new SseItem("message", "{}", "7"));
        monitor.RecordIdNotResent();
        monitor.RecordIdNotResent();
        monitor.RecordIdNotResent();
        Time.Advance(TimeSpan.FromSeconds(2));

        var cut = Render<BackendsPage>();

        var card = cut.Find("[data-backend='dreamer']");
        Assert.Equal("2", card.QuerySelector("tr[data-counter='values-cut'] td")!.TextContent);
        Assert.Equal("3", card.QuerySelector("tr[data-counter='ids-not-resent'] td")!.TextContent);
        Assert.Contains("Values cut to size", card.TextContent, StringComparison.Ordinal);
        Assert.Contains("Ids too long to resend", card.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspector_refreshes_each_second_newest_first()
    {
        var monitor = Dreamer();
        Record(monitor, 1, 2);
        var cut = Render<BackendsPage>();
        Assert.Equal(["2", "1"], Seqs(cut));

        Record(monitor, 3, 3);
        Time.Advance(TimeSpan.FromSeconds(1));

        cut.WaitForAssertion(() => Assert.Equal(["3", "2", "1"], Seqs(cut)));
        Assert.Contains("{\"nodes\": 3}", cut.Find(".inspector-table tbody tr[data-seq]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Pause_holds_the_view_and_resume_catches_up_without_losing_events()
    {
        var monitor = Dreamer();
        Record(monitor, 1, 1);
        var cut = Render<BackendsPage>();

        Click(cut, "#inspector-pause");
        cut.WaitForElement("#inspector-paused");
        Record(monitor, 2, 3);
        Time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(["1"], Seqs(cut));
        Assert.NotNull(cut.Find("#inspector-paused"));

        Click(cut, "#inspector-pause");

        cut.WaitForAssertion(() => Assert.Equal(["3", "2", "1"], Seqs(cut)));
        Assert.Empty(cut.FindAll("#inspector-paused"));
    }

    [Fact]
    public void Evicted_events_are_reported_not_silently_lost()
    {
        var monitor = Dreamer();
        Record(monitor, 1, 2);
        var cut = Render<BackendsPage>();
        Click(cut, "#inspector-pause");
        cut.WaitForElement("#inspector-paused");

        Record(monitor, 3, 7);
        Click(cut, "#inspector-pause");

        cut.WaitForAssertion(() => Assert.Equal(["7", "6", "5", "2", "1"], Seqs(cut)));
        Assert.StartsWith("4 older events dropped", cut.Find("#inspector-evicted").TextContent.Trim(), StringComparison.Ordinal);
        Assert.StartsWith("2 events left the log", cut.Find("#inspector-missed").TextContent.Trim(), StringComparison.Ordinal);
    }

    // Find and click in the renderer's dispatcher: the inspector's timer may re-render in between otherwise.
    private static void Click(IRenderedComponent<BackendsPage> cut, string selector) =>
        cut.InvokeAsync(() => cut.Find(selector).Click()).GetAwaiter().GetResult();
}
