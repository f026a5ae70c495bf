using Dashboard.Testing;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dashboard.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Dashboard.Tests.Api;

/// <summary>
/// The real app with one backend of every kind, each pointed at a loopback upstream that answers
/// in that kind's wire format (the shared fixtures, byte for byte): graph stats and the raw stream
/// arrive on their always-on streams, and a run of every run-capable kind goes through
/// POST /api/runs to its terminal state, as a script would see it through the JSON API.
/// </summary>
public sealed class EveryKindEndToEndTests : IAsyncLifetime
{
    private const string GenerationId = "89e2009c-5b1e-4c43-9d2a-5f0c1b7e2a11";
    private const string Plan = "Here is a plan:\n\n1. **Add** the `schemas` folder\n2. Update `main.py`\n\n```python\ndef add(a, b):\n    return a + b\n```\n";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private LoopbackUpstream _upstream = null!;
    private TestApp _app = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _upstream = await LoopbackUpstream.StartAsync(MapUpstreams);
        var root = _upstream.BaseUrl;
        var backends = new (string Name, string Kind, Dictionary<string, string> Settings)[]
        {
            ("dreamer", "codedreamer", new() { ["BaseUrl"] = root + "dreamer" }),
            ("codegen", "codegen", new() { ["BaseUrl"] = root + "codegen", ["Username"] = "me", ["Password"] = "pw-codegen-secret" }),
            ("chat", "openai-chat", new() { ["BaseUrl"] = root + "openai/v1", ["ApiKey"] = "sk-chat-secret", ["Model"] = "gpt-4o-mini" }),
            ("responses", "openai-responses", new() { ["BaseUrl"] = root + "openai/v1", ["ApiKey"] = "sk-responses-secret", ["Model"] = "gpt-4.1" }),
            ("claude", "anthropic", new() { ["BaseUrl"] = root + "anthropic", ["ApiKey"] = "sk-ant-secret", ["Model"] = "claude-sonnet-4" }),
            ("forge", "forge", new() { ["BaseUrl"] = root + "forge" }),
            ("tests", "testgen", new() { ["BaseUrl"] = root + "testgen" }),
            ("plain", "plain-chat", new() { ["BaseUrl"] = root + "plain" }),
            ("jobs", "jobs", new() { ["BaseUrl"] = root + "jobs" }),
            ("raw", "sse", new() { ["Url"] = root + "raw/stream" }),
        };

        var settings = new Dictionary<string, string?>();
        for (var i = 0; i < backends.Length; i++)
        {
            var (name, kind, extra) = backends[i];
            settings[$"Dashboard:Backends:{i}:Name"] = name;
            settings[$"Dashboard:Backends:{i}:Kind"] = kind;
            foreach (var (key, value) in extra)
            {
                settings[$"Dashboard:Backends:{i}:{key}"] = value;
            }
        }

        _app = new TestApp(settings) { Demo = false };
        _api = _app.CreateApiClient();
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _app.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Codedreamer_graph_stats_arrive_with_the_snapshots_edges_and_the_streams_last_count()
    {
        var graph = await UntilAsync("/api/graph", doc => doc.RootElement.EnumerateArray()
            .Any(g => g.GetProperty("backend").GetString() == "dreamer" && g.GetProperty("nodes").GetInt32() == 55));

        var dreamer = graph.RootElement.EnumerateArray().Single(g => g.GetProperty("backend").GetString() == "dreamer");
        Assert.Equal(57, dreamer.GetProperty("edges").GetInt32());
        Assert.Equal(17, dreamer.GetProperty("tiers").GetProperty("COLD").GetInt32());
        Assert.Equal(26, dreamer.GetProperty("types").GetProperty("ENTITY").GetInt32());
        Assert.True(dreamer.GetProperty("history").GetArrayLength() >= 2);
    }

    [Fact]
    public async Task The_raw_sse_backend_shows_real_connection_state_and_its_events()
    {
        var backends = await UntilAsync("/api/backends", doc => doc.RootElement.EnumerateArray()
            .Any(b => b.GetProperty("name").GetString() == "raw" && b.GetProperty("eventsReceived").GetInt64() >= 2));

        var raw = backends.RootElement.EnumerateArray().Single(b => b.GetProperty("name").GetString() == "raw");
        Assert.Equal("connected", raw.GetProperty("state").GetString());
        Assert.Equal("sse", raw.GetProperty("kind").GetString());

        using var events = JsonDocument.Parse(await _api.GetStringAsync(new Uri("/api/backends/raw/events?limit=10", UriKind.Relative)));
        var items = events.RootElement.EnumerateArray().ToList();
        Assert.Equal("tick", items[0].GetProperty("type").GetString());
        Assert.Equal("1", items[0].GetProperty("id").GetString());
        Assert.Equal("""{"n": 1}""", items[0].GetProperty("data").GetString());
    }

    [Theory]
    [InlineData("dreamer", "Dream about graphs", "# A dream\n\nNodes that remember.")]
    [InlineData("codegen", "Add a due date to todos", "")]
    [InlineData("chat", "Plan the schemas folder", Plan)]
    [InlineData("responses", "Plan the schemas folder", Plan)]
    [InlineData("claude", "Plan the schemas folder", Plan)]
    [InlineData("forge", "Plan the schemas folder", "Here is a plan:\n\n1. **Add**")]
    [InlineData("tests", "def calculate_sum(a, b): return a + b", "import pytest\n\ndef test_calculate_sum():\n    assert calculate_sum(2, 3) == 5\n")]
    [InlineData("plain", "hello", "This is a mock response to: hello ")]
    [InlineData("jobs", "run the job", "")]
    public async Task A_run_of_every_kind_goes_through_the_api_to_completed(string backend, string prompt, string text)
    {
        using var start = await _api.PostAsJsonAsync(new Uri("/api/runs", UriKind.Relative), new { backend, prompt });
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var id = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        using var run = await UntilAsync($"/api/runs/{id}", doc => doc.RootElement.GetProperty("endedAt").ValueKind != JsonValueKind.Null);

        var root = run.RootElement;
        Assert.True(root.GetProperty("status").GetString() == "completed", $"{backend}: {root}");
        Assert.Equal(text, root.GetProperty("text").GetString());
        Assert.Equal(1.0, root.GetProperty("progress").GetDouble());
        Assert.NotEmpty(root.GetProperty("timeline").EnumerateArray());
    }

    [Theory]
    [InlineData("chat", 31, 14, 45)]
    [InlineData("responses", 31, 14, 45)]
    [InlineData("claude", 25, 15, 40)]
    public async Task Llm_runs_report_the_upstreams_usage(string backend, int input, int output, int total)
    {
        using var start = await _api.PostAsJsonAsync(new Uri("/api/runs", UriKind.Relative), new { backend, prompt = "Plan the schemas folder" });
        var id = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        using var run = await UntilAsync($"/api/runs/{id}", doc => doc.RootElement.GetProperty("endedAt").ValueKind != JsonValueKind.Null);

        var usage = run.RootElement.GetProperty("usage");
        Assert.Equal(input, usage.GetProperty("inputTokens").GetInt32());
        Assert.Equal(output, usage.GetProperty("outputTokens").GetInt32());
        Assert.Equal(total, usage.GetProperty("totalTokens").GetInt32());
    }

    // Polls the API until the condition holds (each answer is fresh state), bounded by Patience.
    private async Task<JsonDocument> UntilAsync(string path, Func<JsonDocument, bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var doc = JsonDocument.Parse(await _api.GetStringAsync(new Uri(path, UriKind.Relative)));
            if (condition(doc))
            {
                return doc;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{path} did not reach the expected state in {Patience}: {doc.RootElement}");
            }

            doc.Dispose();
            await Task.Delay(50);
        }
    }

    private static void MapUpstreams(WebApplication app)
    {
        // CodeDreamer: graph snapshot, then the update stream kept open (silence is normal there).
        app.MapGet("/dreamer/graph/stats", (HttpContext c) => LoopbackUpstream.JsonAsync(c, 200, Fixtures.Text("codedreamer-graph-stats.json")));
        app.MapGet("/dreamer/events", async (HttpContext c) =>
        {
            await LoopbackUpstream.FixtureAsync(c, "codedreamer-events.sse");
            await LoopbackUpstream.HoldOpenAsync(c);
        });
        app.MapPost("/dreamer/dream", (HttpContext c) => LoopbackUpstream.JsonAsync(c, 200,
            """{"content": "# A dream\n\nNodes that remember.", "category": "insight", "novelty_score": 0.72, "timestamp": "2026-11-22T12:00:00"}"""));

        // Code generation backend: login, generation, single-use stream token, progress stream.
        app.MapPost("/codegen/auth/login", (HttpContext c) => LoopbackUpstream.JsonAsync(c, 200, """{"access_token":"access-e2e-token","token_type":"bearer"}"""));
        app.MapPost("/codegen/generations/generate", (HttpContext c) => LoopbackUpstream.JsonAsync(c, 201, $$"""{"generation_id":"{{GenerationId}}","status":"pending"}"""));
        app.MapPost("/codegen/generations/generate/{id}/stream-token", (HttpContext c, string id) => LoopbackUpstream.JsonAsync(c, 200,
            $$"""{"sse_token":"stream-e2e-token","expires_in":60,"stream_url":"/generations/generate/{{id}}/stream","generation_id":"{{id}}"}"""));
        app.MapGet("/codegen/generations/generate/{id}/stream", (HttpContext c) => LoopbackUpstream.FixtureAsync(c, "codebegen-iteration.sse"));
        app.MapGet("/codegen/generations/{id}", (HttpContext c, string id) => LoopbackUpstream.JsonAsync(c, 200, $$"""{"generation_id":"{{id}}","status":"completed"}"""));

        // LLM dialects.
        app.MapPost("/openai/v1/chat/completions", (HttpContext c) => LoopbackUpstream.FixtureAsync(c, "openai-chat.sse"));
        app.MapPost("/openai/v1/responses", (HttpContext c) => LoopbackUpstream.FixtureAsync(c, "openai-responses.sse"));
        app.MapPost("/anthropic/v1/messages", (HttpContext c) => LoopbackUpstream.FixtureAsync(c, "anthropic-messages.sse"));
        app.MapPost("/forge/v1/responses", (HttpContext c) => LoopbackUpstream.FixtureAsync(c, "forge-responses-snapshot.sse"));

        // Seed 004 and 002 shapes.
        app.MapPost("/testgen/generate_tests", (HttpContext c) => LoopbackUpstream.FixtureAsync(c, "testgen-stream.sse"));
        app.MapGet("/plain/chat", (HttpContext c) => LoopbackUpstream.FixtureAsync(c, "simple-content.sse"));
        app.MapPost("/jobs/jobs", (HttpContext c) => LoopbackUpstream.JsonAsync(c, 200, """{"job_id": "job-1"}"""));
        app.MapGet("/jobs/jobs/{id}/progress", (HttpContext c) => LoopbackUpstream.FixtureAsync(c, "job-progress.sse"));

        // A raw always-on stream.
        app.MapGet("/raw/stream", async (HttpContext c) =>
        {
            await LoopbackUpstream.BeginStreamAsync(c);
            await LoopbackUpstream.WriteAsync(c, "event: tick\nid: 1\ndata: {\"n\": 1}\n\nevent: tick\nid: 2\ndata: {\"n\": 2}\n\n");
            await LoopbackUpstream.HoldOpenAsync(c);
        });
    }
}
