using System.Collections.Concurrent;
using System.Globalization;
using Dashboard.Backends.CodeDreamer;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Tests.Backends.SeedTestSupport;
using Dashboard.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Dashboard.Tests.Backends.CodeDreamer;

/// <summary>Edges and entanglement follow the graph: reloaded from /graph/stats when node counts change, at most once per 5 s.</summary>
public sealed class GraphStatsRefreshTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The real client on the host's pieces, with its own clock (the stream runner keeps the real one).</summary>
    internal static CodeDreamerClient ClientWithClock(SeedBackendHost host, TimeProvider clock) => new(
        host.Backend, host.Get<IHttpClientFactory>(), host.Get<ISseStreamRunner>(), host.Get<IDomainEventSink>(), clock, NullLogger.Instance);

    private static string Update(int nodes) =>
        "data: {\"type\": \"update\", \"nodes\": " + nodes.ToString(CultureInfo.InvariantCulture)
        + ", \"tiers\": {\"HOT\": 1, \"WARM\": 0, \"COLD\": 0}, \"types\": {\"FACT\": 1, \"CONCEPT\": 0, \"CODE\": 0, \"DREAM\": 0, \"ENTITY\": 0}}\n\n";

    private static string Stats(int nodes, int edges) =>
        "{\"total_nodes\":" + nodes.ToString(CultureInfo.InvariantCulture)
        + ",\"total_edges\":" + edges.ToString(CultureInfo.InvariantCulture)
        + ",\"avg_entanglement\":" + Math.Round((double)edges / nodes, 3).ToString(CultureInfo.InvariantCulture)
        + ",\"tiers\":{\"HOT\":1,\"WARM\":0,\"COLD\":0},\"types\":{\"FACT\":1,\"CONCEPT\":0,\"CODE\":0,\"DREAM\":0,\"ENTITY\":0}}";

    [Fact]
    public async Task Changed_counts_reload_the_full_stats_at_most_once_per_five_seconds()
    {
        var clock = new FakeTimeProvider(T0);
        var requests = new ConcurrentQueue<DateTimeOffset>();
        var current = 40;
        using var next = new SemaphoreSlim(0);
        await using var server = await LoopbackUpstream.StartAsync(app =>
        {
            app.MapGet("/graph/stats", () =>
            {
                requests.Enqueue(clock.GetUtcNow());
                return Results.Text(Stats(Volatile.Read(ref current), 100 + requests.Count), "application/json");
            });
            app.MapGet("/events", async context =>
            {
                LoopbackUpstream.StartEventStream(context);
                // 40 is what the snapshot said already; 41, 42 and 43 are changes.
                foreach (var nodes in new[] { 40, 41, 42, 43 })
                {
                    Volatile.Write(ref current, nodes);
                    await LoopbackUpstream.WriteAsync(context, Update(nodes));
                    await next.WaitAsync(context.RequestAborted);
                }

                await LoopbackUpstream.HoldOpenAsync(context);
            });
        });
        await using var host = new SeedBackendHost(new BackendOptions { Name = "dreamer", Kind = "codedreamer", BaseUrl = server.BaseUrl });
        using var subscription = host.Hub.Subscribe();
        using var cts = new CancellationTokenSource();
        var alwaysOn = ClientWithClock(host, clock).RunAlwaysOnAsync(cts.Token);

        await SeedBackendHost.NextAsync<GraphStatsObserved>(subscription, g => g.Stats.Edges == 101);
        await SeedBackendHost.NextAsync<GraphStatsObserved>(subscription, g => g.Stats is { Nodes: 40, Edges: null });
        next.Release();
        await SeedBackendHost.NextAsync<GraphStatsObserved>(subscription, g => g.Stats is { Nodes: 41, Edges: null });

        // The change waits for the interval since the connect snapshot, then reloads once.
        clock.Advance(TimeSpan.FromSeconds(5));
        await SeedBackendHost.NextAsync<GraphStatsObserved>(subscription, g => g.Stats.Edges == 102);

        // Two changes within the next interval: one reload, when it is over.
        next.Release();
        await SeedBackendHost.NextAsync<GraphStatsObserved>(subscription, g => g.Stats is { Nodes: 42, Edges: null });
        clock.Advance(TimeSpan.FromSeconds(2));
        next.Release();
        await SeedBackendHost.NextAsync<GraphStatsObserved>(subscription, g => g.Stats is { Nodes: 43, Edges: null });
        clock.Advance(TimeSpan.FromSeconds(3));
        var last = await SeedBackendHost.NextAsync<GraphStatsObserved>(subscription, g => g.Stats.Edges is not null);

        Assert.Equal((43, (int?)103), (last.Stats.Nodes, last.Stats.Edges));
        Assert.Equal([T0, T0.AddSeconds(5), T0.AddSeconds(10)], requests);

        // Each figure carries its own time: edges from the last snapshot, nodes from the last event.
        var graph = host.Hub.State.GetGraph("dreamer")!;
        Assert.Equal((43, (int?)103, (double?)2.395), (graph.Nodes, graph.Edges, graph.AvgEntanglement));
        Assert.Equal(T0.AddSeconds(10), graph.EdgesUpdatedAt);

        await cts.CancelAsync();
        await alwaysOn.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Edges_keep_the_time_of_the_snapshot_while_streamed_counts_move_on()
    {
        var clock = new FakeTimeProvider(T0);
        var requests = 0;
        using var send = new SemaphoreSlim(0);
        await using var server = await LoopbackUpstream.StartAsync(app =>
        {
            app.MapGet("/graph/stats", () =>
            {
                Interlocked.Increment(ref requests);
                return Results.Text(Stats(40, 57), "application/json");
            });
            app.MapGet("/events", async context =>
            {
                await LoopbackUpstream.BeginStreamAsync(context);
                await send.WaitAsync(context.RequestAborted);
                await LoopbackUpstream.WriteAsync(context, Update(41));
                await LoopbackUpstream.HoldOpenAsync(context);
            });
        });
        await using var host = new SeedBackendHost(new BackendOptions { Name = "dreamer", Kind = "codedreamer", BaseUrl = server.BaseUrl });
        using var subscription = host.Hub.Subscribe();
        using var cts = new CancellationTokenSource();
        var alwaysOn = ClientWithClock(host, clock).RunAlwaysOnAsync(cts.Token);

        await SeedBackendHost.NextAsync<GraphStatsObserved>(subscription, g => g.Stats.Edges == 57);
        clock.Advance(TimeSpan.FromSeconds(2));
        send.Release();
        await SeedBackendHost.NextAsync<GraphStatsObserved>(subscription, g => g.Stats is { Nodes: 41, Edges: null });

        var graph = host.Hub.State.GetGraph("dreamer")!;
        Assert.Equal((41, (int?)57), (graph.Nodes, graph.Edges));
        Assert.Equal(T0.AddSeconds(2), graph.UpdatedAt);
        Assert.Equal(T0, graph.EdgesUpdatedAt);
        Assert.Equal(1, Volatile.Read(ref requests));

        await cts.CancelAsync();
        await alwaysOn.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
