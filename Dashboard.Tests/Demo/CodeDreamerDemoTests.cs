using System.Net;
using System.Text.Json;
using Dashboard.Configuration;
using Dashboard.Demo;
using Dashboard.Demo.CodeDreamer;
using Microsoft.Extensions.Time.Testing;

namespace Dashboard.Tests.Demo;

public sealed class CodeDreamerDemoTests
{
    [Fact]
    public async Task Events_send_the_current_count_at_once_then_only_changes_with_consistent_sums()
    {
        await using var host = await DemoHost.StartAsync();
        var counts = new List<int>();

        await foreach (var data in host.ReadEventsAsync(DemoHost.Get("demo/codedreamer/events")))
        {
            using var update = JsonDocument.Parse(data);
            var root = update.RootElement;
            var nodes = root.GetProperty("nodes").GetInt32();
            Assert.Equal(nodes, root.GetProperty("tiers").EnumerateObject().Sum(p => p.Value.GetInt32()));
            Assert.Equal(nodes, root.GetProperty("types").EnumerateObject().Sum(p => p.Value.GetInt32()));
            counts.Add(nodes);
            if (counts.Count == 4)
            {
                break;
            }
        }

        Assert.True(counts[0] >= 40);
        Assert.True(counts.Zip(counts.Skip(1)).All(pair => pair.Second > pair.First), string.Join(",", counts));
    }

    [Fact]
    public void The_graph_grows_in_bursts_on_the_clock_and_a_seed_repeats_it()
    {
        List<int> Run(int seed)
        {
            var time = new FakeTimeProvider();
            var graph = new DemoGraph(new DemoRuntime(new DemoOptions { Seed = seed }, time));
            var counts = new List<int>();
            for (var i = 0; i < 120; i++)
            {
                counts.Add(graph.Snapshot().Nodes);
                time.Advance(TimeSpan.FromSeconds(2));
            }

            return counts;
        }

        var counts = Run(5);
        Assert.Equal(40, counts[0]);
        Assert.True(counts[^1] > 40);
        Assert.True(counts.Zip(counts.Skip(1)).Any(pair => pair.Second == pair.First), "some checks see no change");
        Assert.Equal(counts, Run(5));
        Assert.NotEqual(counts, Run(6));
    }

    [Fact]
    public void Time_scale_multiplies_every_delay()
    {
        var time = new FakeTimeProvider();
        var runtime = new DemoRuntime(new DemoOptions { TimeScale = 0.5 }, time);

        var delay = runtime.DelaySecondsAsync(2, CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(delay.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(delay.IsCompletedSuccessfully);

        var graph = new DemoGraph(new DemoRuntime(new DemoOptions { TimeScale = 0.01 }, time));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(graph.Snapshot().Nodes > 40, "a hundred times faster, one second holds many bursts");
    }

    [Fact]
    public async Task Dream_answers_after_a_delay_and_adds_nodes()
    {
        await using var host = await DemoHost.StartAsync();
        var before = host.Service<DemoGraph>().Snapshot().Nodes;

        using var response = await host.Client.SendAsync(DemoHost.PostJson("demo/codedreamer/dream", """{"seed_text":"event sourcing","temperature":0.9}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var dream = await DemoTestClient.JsonAsync(response);
        Assert.Equal(["content", "category", "novelty_score", "timestamp"], dream.EnumerateObject().Select(p => p.Name));
        Assert.Contains("event sourcing", dream.GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.True(host.Service<DemoGraph>().Snapshot().Nodes > before);
    }

    [Fact]
    public async Task Dream_rejects_a_non_numeric_temperature()
    {
        await using var host = await DemoHost.StartAsync();

        using var response = await host.Client.SendAsync(DemoHost.PostJson("demo/codedreamer/dream", """{"temperature":"hot"}"""));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }

    [Fact]
    public async Task Health_reports_the_graph()
    {
        await using var host = await DemoHost.StartAsync();

        var health = JsonDocument.Parse(await host.Client.GetStringAsync("demo/codedreamer/health")).RootElement;

        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.True(health.GetProperty("graph_nodes").GetInt32() >= 40);
        Assert.Equal(JsonValueKind.False, health.GetProperty("thinking").GetProperty("is_generating").ValueKind);
    }
}
