using System.Net;
using System.Text.Json;
using Dashboard.Demo;
using Microsoft.Extensions.Time.Testing;

namespace Dashboard.Tests.Demo;

/// <summary>The demo's bytes against the shared fixtures: same keys, key order, separators, number kinds and framing.</summary>
public sealed class DemoFixtureShapeTests
{
    [Fact]
    public async Task CodeDreamer_events_have_the_fixture_shape_with_python_spacing()
    {
        // A clock that never moves: the first event is the untouched starting graph.
        await using var host = await DemoHost.StartAsync(time: new FakeTimeProvider());
        var fixture = Fixtures.Events("codedreamer-events.sse");

        var events = new List<string>();
        await foreach (var data in host.ReadEventsAsync(DemoHost.Get("demo/codedreamer/events")))
        {
            events.Add(data);
            break;
        }

        Assert.All(events, e => Assert.Equal(JsonShape.Of(fixture[0]), JsonShape.Of(e)));
        Assert.Contains("\", \"", events[0], StringComparison.Ordinal);
        Assert.StartsWith("{\"type\": \"update\", \"nodes\": 40, \"tiers\": {\"HOT\": ", events[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task CodeDreamer_graph_stats_has_the_fixture_keys_in_order()
    {
        await using var host = await DemoHost.StartAsync(time: new FakeTimeProvider());

        var json = await host.Client.GetStringAsync("demo/codedreamer/graph/stats");

        Assert.Equal(JsonShape.Paths(Fixtures.Read("codedreamer-graph-stats.json")), JsonShape.Paths(json));
        Assert.StartsWith("{\"total_nodes\":40,\"total_edges\":57,\"avg_entanglement\":1.425,", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Codegen_iteration_stream_matches_the_fixture_shape_and_stage_sequence()
    {
        await using var host = await DemoHost.StartAsync(outcome: "complete");
        var fixture = Fixtures.Events("codebegen-iteration.sse");
        var bearer = await DemoTestClient.LoginAsync(host);
        var id = await DemoTestClient.IterateAsync(host, bearer, "Add a health endpoint to the API");
        var token = await DemoTestClient.StreamTokenAsync(host, bearer, id);

        var events = await DemoTestClient.ReadAllAsync(host, DemoTestClient.StreamPath(id, token));

        Assert.All(events, e => Assert.Equal(JsonShape.Of(fixture[0]), JsonShape.Of(e)));
        Assert.Equal(Stages(fixture), Stages(events));
        Assert.Equal("completed", DemoTestClient.Field(events[^1], "status"));
        Assert.Equal("1.0", DemoTestClient.Field(events[^1], "progress"));
        Assert.Equal("connected", DemoTestClient.Field(events[0], "stage"));
        Assert.Contains(".", DemoTestClient.Field(events[0], "progress"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Codegen_failed_iteration_matches_the_failed_fixture_sequence()
    {
        await using var host = await DemoHost.StartAsync(outcome: "fail");
        var fixture = Fixtures.Events("codebegen-iteration-failed.sse");
        var bearer = await DemoTestClient.LoginAsync(host);
        var id = await DemoTestClient.IterateAsync(host, bearer, "Fix the login redirect loop");
        var token = await DemoTestClient.StreamTokenAsync(host, bearer, id);

        var events = await DemoTestClient.ReadAllAsync(host, DemoTestClient.StreamPath(id, token));

        Assert.All(events, e => Assert.Equal(JsonShape.Of(fixture[0]), JsonShape.Of(e)));
        Assert.Equal(Stages(fixture), Stages(events));
        Assert.Equal("failed", DemoTestClient.Field(events[^1], "status"));
        Assert.StartsWith("Iteration failed:", DemoTestClient.Field(events[^1], "message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAi_chunks_match_the_fixture_shapes_then_done()
    {
        await using var host = await DemoHost.StartAsync(outcome: "complete");
        var fixture = Fixtures.Events("openai-chat.sse");
        var apiKey = host.Service<DemoCredentials>().ApiKey;
        using var request = DemoHost.PostJson("demo/openai/v1/chat/completions",
            """{"model":"demo-gpt","messages":[{"role":"user","content":"Plan a todo API"}],"stream":true,"stream_options":{"include_usage":true}}""", apiKey);

        var events = new List<string>();
        await foreach (var data in host.ReadEventsAsync(request))
        {
            events.Add(data);
        }

        Assert.Equal(Collapse(fixture.Select(JsonShape.Of)), Collapse(events.Select(JsonShape.Of)));
        Assert.Equal(fixture[0].Replace("chatcmpl-9x1", "X").Replace("1737030904", "T").Replace("gpt-4o-mini", "demo-gpt").Replace("fp_1", "fp_demo"),
            System.Text.RegularExpressions.Regex.Replace(events[0], "\"id\":\"chatcmpl-[A-Za-z0-9]+\",\"object\":\"chat.completion.chunk\",\"created\":\\d+",
                "\"id\":\"X\",\"object\":\"chat.completion.chunk\",\"created\":T"));
        Assert.Equal("[DONE]", events[^1]);
        using var usage = JsonDocument.Parse(events[^2]);
        Assert.Equal(0, usage.RootElement.GetProperty("choices").GetArrayLength());
        var completion = usage.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32();
        Assert.Equal(events.Count - 4, completion);
    }

    private static List<string> Stages(IEnumerable<string> events) =>
        Collapse(events.Select(e => DemoTestClient.Field(e, "stage")));

    /// <summary>Consecutive repeats folded into one (the demo repeats the LLM-wait stage while text grows).</summary>
    private static List<string> Collapse(IEnumerable<string> items)
    {
        var result = new List<string>();
        foreach (var item in items)
        {
            if (result.Count == 0 || result[^1] != item)
            {
                result.Add(item);
            }
        }

        return result;
    }
}
