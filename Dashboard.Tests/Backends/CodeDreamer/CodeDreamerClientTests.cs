using System.Text.Json;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Tests.Backends.SeedTestSupport;
using Dashboard.Tests.Ingest;
using Dashboard.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Dashboard.Tests.Backends.CodeDreamer;

public sealed class CodeDreamerClientTests
{
    [Fact]
    public async Task Snapshot_on_every_connect_then_updates_then_idle()
    {
        var connections = 0;
        var snapshots = 0;
        var updates = Fixtures.Text("codedreamer-events.sse").Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        await using var server = await LoopbackUpstream.StartAsync(app =>
        {
            app.MapGet("/graph/stats", () =>
            {
                Interlocked.Increment(ref snapshots);
                return Results.Text(Fixtures.Text("codedreamer-graph-stats.json"), "application/json");
            });
            app.MapGet("/events", async context =>
            {
                var n = Interlocked.Increment(ref connections);
                LoopbackUpstream.StartEventStream(context);
                if (n == 1)
                {
                    // First connection: one update, then the server dies (the stream just ends).
                    await LoopbackUpstream.WriteAsync(context, updates[0] + "\n\n");
                    return;
                }

                await LoopbackUpstream.WriteAsync(context, updates[1] + "\n\n");
                await LoopbackUpstream.HoldOpenAsync(context);
            });
        });
        var clock = new SignalingTimeProvider();
        var stall = TimeSpan.FromSeconds(30);
        await using var host = new SeedBackendHost(
            new BackendOptions { Name = "dreamer", Kind = "codedreamer", BaseUrl = server.BaseUrl, StallTimeout = stall }, clock);
        using var subscription = host.Hub.Subscribe();
        using var cts = new CancellationTokenSource();

        // A clock that never moves: the rate-limited reload after a count change (GraphStatsRefreshTests) stays out of this sequence.
        var alwaysOn = GraphStatsRefreshTests.ClientWithClock(host, new Microsoft.Extensions.Time.Testing.FakeTimeProvider()).RunAlwaysOnAsync(cts.Token);

        var first = await SeedBackendHost.NextAsync<GraphStatsObserved>(subscription);
        Assert.Equal((40, (int?)57, (double?)1.425), (first.Stats.Nodes, first.Stats.Edges, first.Stats.AvgEntanglement));
        var update = await SeedBackendHost.NextAsync<GraphStatsObserved>(subscription);
        Assert.Equal((43, (int?)null), (update.Stats.Nodes, update.Stats.Edges));

        // The first connection ended: the reconnect waits on the fake clock until it is moved past that wait.
        await AdvancePastNextTimerAsync(clock, due => due < stall);
        var again = await SeedBackendHost.NextAsync<GraphStatsObserved>(subscription);
        Assert.Equal(57, again.Stats.Edges);
        var second = await SeedBackendHost.NextAsync<GraphStatsObserved>(subscription);
        Assert.Equal(46, second.Stats.Nodes);

        // Silence: no complete event for the whole stall time makes the backend idle (not a reconnect).
        var idle = SeedBackendHost.NextAsync<BackendHealthChanged>(subscription, h => h.Health.State == BackendState.Idle);
        await StallUntilAsync(clock, stall, idle);

        var graph = host.Hub.State.GetGraph("dreamer")!;
        Assert.Equal((46, (int?)57), (graph.Nodes, graph.Edges));
        Assert.Equal(2, snapshots);
        Assert.Equal(2, Volatile.Read(ref connections));

        await cts.CancelAsync();
        await alwaysOn.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Moves the clock past the next timer whose due time <paramref name="match"/> accepts.</summary>
    private static async Task AdvancePastNextTimerAsync(SignalingTimeProvider clock, Func<TimeSpan, bool> match)
    {
        clock.Advance(await clock.NextTimerAsync(match, TimeSpan.FromSeconds(10)));
    }

    /// <summary>
    /// Moves the clock by the stall time until <paramref name="idle"/> is seen. The runner may read
    /// the clock for its last event just after a move; it then starts a new full stall timer, which
    /// is the one moved past next.
    /// </summary>
    private static async Task StallUntilAsync(SignalingTimeProvider clock, TimeSpan stall, Task idle)
    {
        while (true)
        {
            clock.Advance(stall);
            var timer = clock.NextTimerAsync(TimeSpan.FromSeconds(10));
            if (await Task.WhenAny(idle, timer) == idle)
            {
                await idle;
                return;
            }

            await timer;
        }
    }

    [Fact]
    public async Task Dream_run_synthesizes_its_timeline_and_shows_the_content()
    {
        string? body = null;
        await using var server = await LoopbackUpstream.StartAsync(app => app.MapPost("/dream", async context =>
        {
            body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            await LoopbackUpstream.JsonAsync(context, 200,
                """{"content": "# Insight\nGraphs dream of edges.", "category": "insight", "novelty_score": 0.73, "timestamp": "2025-12-30T04:44:54"}""");
        }));
        await using var host = new SeedBackendHost(new BackendOptions { Name = "dreamer", Kind = "codedreamer", BaseUrl = server.BaseUrl });

        var view = await host.RunToEndAsync(host.NewRun("entanglement", """{"temperature": 1.2}"""));

        Assert.Equal(RunStatus.Completed, view.Status);
        Assert.Equal(["request_sent", "waiting", "done"], view.Timeline.Select(t => t.Stage));
        Assert.StartsWith("Dream returned after ", view.Timeline[^1].Message);
        Assert.Equal("# Insight\nGraphs dream of edges.", view.Text.ToString());
        Assert.Equal("insight", view.Metadata["category"]);
        Assert.Equal("0.73", view.Metadata["novelty_score"]);
        using var sent = JsonDocument.Parse(body!);
        Assert.Equal("entanglement", sent.RootElement.GetProperty("seed_text").GetString());
        Assert.Equal(1.2, sent.RootElement.GetProperty("temperature").GetDouble());
    }

    [Fact]
    public async Task Dream_error_fails_the_run_with_the_upstream_message()
    {
        await using var server = await LoopbackUpstream.StartAsync(app =>
            app.MapPost("/dream", () => Results.Text("""{"detail": "No model loaded"}""", "application/json", statusCode: 500)));
        await using var host = new SeedBackendHost(new BackendOptions { Name = "dreamer", Kind = "codedreamer", BaseUrl = server.BaseUrl });

        var view = await host.RunToEndAsync(host.NewRun("x"));

        Assert.Equal(RunStatus.Failed, view.Status);
        Assert.StartsWith("HTTP 500: No model loaded (after ", view.Error);
        Assert.Equal(StageStatus.Failed, view.Timeline[^1].Status);
    }
}
