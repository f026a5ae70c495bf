using Bunit;
using Dashboard.Components.Controls;
using Dashboard.Configuration;
using Dashboard.Ingest;
using Dashboard.Ingest.Monitoring;
using Dashboard.Security;
using Microsoft.AspNetCore.Components.Web.Virtualization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.Components;

/// <summary>The raw stream inspector shows every item the log holds, however many, through a virtualized list.</summary>
public sealed class InspectorVirtualizationTests : LiveTestContext
{
    private const int Ring = 450;

    public InspectorVirtualizationTests()
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

    [Fact]
    public void Every_item_the_log_holds_is_reachable_beyond_two_hundred()
    {
        var monitor = Services.GetRequiredService<BackendMonitors>().Register("dreamer", "codedreamer", isDemo: true);
        for (var i = 1; i <= Ring + 20; i++)
        {
            monitor.RecordItem(new SseItem("message", $"{{\"nodes\": {i}}}", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        var cut = Render<RawStreamInspector>(p => p.Add(x => x.Backends, ["dreamer"]));

        // The log kept the newest 450 (21..470); the view offers all of them, newest first, to one virtualized list.
        Assert.Equal($"{Ring} of {Ring} items shown", cut.Find("#inspector-count").TextContent[..$"{Ring} of {Ring} items shown".Length]);
        var list = cut.FindComponent<Virtualize<RawEventRecord>>().Instance;
        Assert.Equal(Ring, list.Items!.Count);
        Assert.Equal((470L, 21L), (list.Items.First().Seq, list.Items.Last().Seq));

        // Only the rows in sight are in the page, starting from the newest.
        var seqs = cut.FindAll(".inspector-table tbody tr[data-seq]").Select(r => r.GetAttribute("data-seq")).ToList();
        Assert.Equal("470", seqs[0]);
        Assert.InRange(seqs.Count, 1, Ring - 1);
        Assert.Equal("470", cut.Find(".inspector-table tbody tr[data-seq='470'] .inspector-id").TextContent);
    }
}
