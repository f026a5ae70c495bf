using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Ingest.Monitoring;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Api;

public sealed class ApiTests(ApiFixture app) : IClassFixture<ApiFixture>
{
    private static readonly string[] BackendFields = ["name", "kind", "state", "lastEventAt", "eventsReceived", "decodeErrors", "reconnects", "lastError"];
    private static readonly string[] RunFields = ["id", "backend", "prompt", "status", "stage", "progress", "startedAt", "endedAt", "timeline", "text", "usage", "error"];

    private HttpClient Http => app.Client;

    [Fact]
    public async Task Backends_lists_every_configured_backend_with_the_contract_fields()
    {
        using var doc = await GetJsonAsync("/api/backends", HttpStatusCode.OK);

        var backends = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(["alpha", "single", "stream"], backends.Take(3).Select(b => b.GetProperty("name").GetString()));
        foreach (var backend in backends)
        {
            Assert.Superset(BackendFields.ToHashSet(), Names(backend));
        }

        var alpha = backends[0];
        Assert.Equal("test-runs", alpha.GetProperty("kind").GetString());
        Assert.Contains(alpha.GetProperty("state").GetString(), new[] { "connecting", "connected", "reconnecting", "idle", "failed", "stopped" });
        Assert.Equal(0, alpha.GetProperty("eventsReceived").GetInt64());
        Assert.Equal(JsonValueKind.Null, alpha.GetProperty("lastEventAt").ValueKind);
    }

    [Fact]
    public async Task Backends_show_the_health_the_monitors_publish_with_secrets_redacted()
    {
        var at = DateTimeOffset.Parse("2026-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture);
        Publish(new BackendHealthChanged
        {
            Backend = "stream",
            At = at,
            Health = new BackendHealth("stream", "test-stream", BackendState.Reconnecting, at, 12, 2, 3, 1, "login with alpha-secret-pw refused", false),
        });

        using var doc = await GetJsonAsync("/api/backends", HttpStatusCode.OK);

        var stream = doc.RootElement.EnumerateArray().Single(b => b.GetProperty("name").GetString() == "stream");
        Assert.Equal("reconnecting", stream.GetProperty("state").GetString());
        Assert.Equal(12, stream.GetProperty("eventsReceived").GetInt64());
        Assert.Equal(2, stream.GetProperty("decodeErrors").GetInt64());
        Assert.Equal(3, stream.GetProperty("reconnects").GetInt64());
        Assert.Equal(at, stream.GetProperty("lastEventAt").GetDateTimeOffset());
        Assert.Equal("login with *** refused", stream.GetProperty("lastError").GetString());
    }

    [Fact]
    public async Task The_always_on_stream_of_a_backend_is_started()
    {
        await app.StreamStarted.WaitAsync(ApiFixture.Patience);
    }

    [Fact]
    public async Task Events_of_a_backend_are_its_newest_raw_items_oldest_first_with_secrets_redacted()
    {
        var monitor = app.Server.Services.GetRequiredService<BackendMonitors>().For("single");
        monitor.RecordItem(new SseItem("message", "first", "1"));
        monitor.RecordItem(new SseItem("progress", "{\"pw\":\"alpha-secret-pw\"}", "2"));
        monitor.RecordItem(new SseItem("done", "[DONE]", "3"));

        using var doc = await GetJsonAsync("/api/backends/single/events?limit=2", HttpStatusCode.OK);

        var events = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Superset(new HashSet<string> { "seq", "type", "id", "data", "receivedAt" }, Names(e)));
        Assert.Equal(("progress", "2", "{\"pw\":\"***\"}"), (events[0].GetProperty("type").GetString(), events[0].GetProperty("id").GetString(), events[0].GetProperty("data").GetString()));
        Assert.Equal(("done", "[DONE]"), (events[1].GetProperty("type").GetString(), events[1].GetProperty("data").GetString()));
        Assert.Equal(events[0].GetProperty("seq").GetInt64() + 1, events[1].GetProperty("seq").GetInt64());
        using var all = await GetJsonAsync("/api/backends/single/events", HttpStatusCode.OK);
        Assert.Equal(3, all.RootElement.GetArrayLength());
    }

    [Theory]
    [InlineData("0", 1)]
    [InlineData("-3", 1)]
    [InlineData("100000", 1000)]
    public async Task Out_of_range_event_limits_are_clamped(string limit, int expected)
    {
        // More items than the largest limit (1,000), so a missing clamp at either end shows in the count.
        var backend = "clamp" + limit;
        var monitor = app.Server.Services.GetRequiredService<BackendMonitors>().For(backend);
        const int recorded = 1_050;
        for (var i = 1; i <= recorded; i++)
        {
            monitor.RecordItem(new SseItem("message", "item " + i, i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        using var doc = await GetJsonAsync($"/api/backends/{backend}/events?limit={limit}", HttpStatusCode.OK);

        var ids = doc.RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
        Assert.Equal(expected, ids.Count);
        Assert.Equal(recorded.ToString(System.Globalization.CultureInfo.InvariantCulture), ids[^1]);
        Assert.Equal((recorded - expected + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), ids[0]);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("")]
    public async Task A_bad_event_limit_is_a_400_problem(string limit)
    {
        using var doc = await GetJsonAsync($"/api/backends/alpha/events?limit={limit}", HttpStatusCode.BadRequest, problem: true);

        Assert.True(doc.RootElement.GetProperty("errors").TryGetProperty("limit", out _));
    }

    [Fact]
    public async Task Events_of_an_unknown_backend_are_a_404_problem()
    {
        using var doc = await GetJsonAsync("/api/backends/nope/events", HttpStatusCode.NotFound, problem: true);

        Assert.Equal(404, doc.RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Graph_lists_each_backends_stats_with_history()
    {
        var at = DateTimeOffset.Parse("2026-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture);
        Publish(new GraphStatsObserved
        {
            Backend = "stream",
            At = at,
            Stats = new GraphStats(42, 7, 0.5, new Dictionary<string, int> { ["HOT"] = 10 }, new Dictionary<string, int> { ["FACT"] = 3 }),
        });

        using var doc = await GetJsonAsync("/api/graph", HttpStatusCode.OK);

        var graph = doc.RootElement.EnumerateArray().Single(g => g.GetProperty("backend").GetString() == "stream");
        Assert.Superset(new HashSet<string> { "backend", "nodes", "edges", "tiers", "types", "updatedAt", "history" }, Names(graph));
        Assert.Equal(42, graph.GetProperty("nodes").GetInt32());
        Assert.Equal(7, graph.GetProperty("edges").GetInt32());
        Assert.Equal(10, graph.GetProperty("tiers").GetProperty("HOT").GetInt32());
        Assert.Equal(3, graph.GetProperty("types").GetProperty("FACT").GetInt32());
        var point = graph.GetProperty("history").EnumerateArray().Last();
        Assert.Equal(["at", "nodes"], Names(point).Order(StringComparer.Ordinal));
        Assert.Equal(42, point.GetProperty("nodes").GetInt32());
    }

    [Fact]
    public async Task A_started_run_is_accepted_followed_and_shown_with_the_contract_fields()
    {
        using var response = await PostAsync("/api/runs", """{"backend":"alpha","prompt":"write a parser","options":{"temperature":0.2,"tech_stack":["python"]}}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var accepted = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var id = accepted.RootElement.GetProperty("id").GetString()!;
        Assert.Matches("^run-[0-9a-f]{12}$", id);
        Assert.Equal($"/api/runs/{id}", response.Headers.Location?.OriginalString);
        await app.Finished(id);

        using var doc = await GetJsonAsync($"/api/runs/{id}", HttpStatusCode.OK);
        var run = doc.RootElement;
        Assert.Superset(RunFields.ToHashSet(), Names(run));
        Assert.Equal(id, run.GetProperty("id").GetString());
        Assert.Equal("alpha", run.GetProperty("backend").GetString());
        Assert.Equal("write a parser", run.GetProperty("prompt").GetString());
        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal("generating", run.GetProperty("stage").GetString());
        Assert.Equal(1.0, run.GetProperty("progress").GetDouble());
        Assert.NotEqual(JsonValueKind.Null, run.GetProperty("endedAt").ValueKind);
        Assert.Equal("Hello, world", run.GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, run.GetProperty("error").ValueKind);
        Assert.Equal("up-" + id, run.GetProperty("upstreamId").GetString());
        Assert.Equal(0.2, run.GetProperty("options").GetProperty("temperature").GetDouble());
        var usage = run.GetProperty("usage");
        Assert.Equal((3, 5, 8), (usage.GetProperty("inputTokens").GetInt32(), usage.GetProperty("outputTokens").GetInt32(), usage.GetProperty("totalTokens").GetInt32()));
        var timeline = run.GetProperty("timeline").EnumerateArray().ToList();
        Assert.NotEmpty(timeline);
        Assert.All(timeline, t => Assert.Superset(new HashSet<string> { "stage", "status", "message", "progress", "at" }, Names(t)));
        var last = timeline[^1];
        Assert.Equal(("generating", "completed", "done", 1.0), (last.GetProperty("stage").GetString(), last.GetProperty("status").GetString(), last.GetProperty("message").GetString(), last.GetProperty("progress").GetDouble()));
    }

    [Fact]
    public async Task Runs_are_listed_newest_first_and_filtered()
    {
        var first = await StartAsync("alpha", "first run");
        var second = await StartAsync("alpha", "second run");
        await app.Finished(first);
        await app.Finished(second);

        using var all = await GetJsonAsync("/api/runs", HttpStatusCode.OK);
        var ids = all.RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.Contains(first, ids);
        Assert.Contains(second, ids);
        Assert.True(ids.IndexOf(second) < ids.IndexOf(first), "newest first");
        // Summaries (a breaking change of issue 11): every field of a run except text, thinking, timeline and tool calls.
        Assert.All(all.RootElement.EnumerateArray(), r => Assert.Superset(RunFields.Except(["timeline", "text"]).ToHashSet(), Names(r)));
        Assert.All(all.RootElement.EnumerateArray(), r => Assert.Empty(Names(r).Intersect(["text", "thinking", "timeline", "toolCalls"])));

        using var filtered = await GetJsonAsync("/api/runs?backend=ALPHA&status=completed", HttpStatusCode.OK);
        Assert.Contains(first, filtered.RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.All(filtered.RootElement.EnumerateArray(), r => Assert.Equal("completed", r.GetProperty("status").GetString()));
        using var none = await GetJsonAsync("/api/runs?backend=stream", HttpStatusCode.OK);
        Assert.Empty(none.RootElement.EnumerateArray());
        using var bad = await GetJsonAsync("/api/runs?status=done", HttpStatusCode.BadRequest, problem: true);
    }

    [Fact]
    public async Task An_unknown_run_is_a_404_problem()
    {
        using var doc = await GetJsonAsync("/api/runs/run-000000000000", HttpStatusCode.NotFound, problem: true);

        Assert.Contains("run-000000000000", doc.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"backend":"alpha"}""", "prompt")]
    [InlineData("""{"prompt":"hello there"}""", "backend")]
    [InlineData("""{"backend":"alpha","prompt":"   "}""", "prompt")]
    [InlineData("""{"backend":"alpha","prompt":"this prompt is far too long for the configured limit of fifty"}""", "prompt")]
    [InlineData("""{"backend":5,"prompt":"hello there"}""", "backend")]
    [InlineData("""{"backend":"alpha","prompt":"hello there","options":[1]}""", "options")]
    [InlineData("""{"backend":"alpha","prompt":"hello there","options":{"temperature":"hot"}}""", "temperature")]
    [InlineData("""{"backend":"alpha","prompt":"hello there","parentRunId":"run-missing"}""", "parentRunId")]
    [InlineData("""{"backend":"stream","prompt":"hello there"}""", "backend")]
    [InlineData("""{"backend":"alpha","prompt":"hel""", "body")]
    [InlineData("""[]""", "body")]
    [InlineData("", "body")]
    public async Task Invalid_input_is_a_400_problem_with_field_errors_and_creates_no_run(string body, string field)
    {
        var before = await CountRunsAsync();

        using var response = await PostAsync("/api/runs", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(doc.RootElement.GetProperty("errors").TryGetProperty(field, out var messages), $"errors.{field} in {doc.RootElement}");
        Assert.NotEmpty(messages.EnumerateArray());
        Assert.Equal(before, await CountRunsAsync());
    }

    [Fact]
    public async Task An_unknown_backend_is_a_404_problem_and_creates_no_run()
    {
        var before = await CountRunsAsync();

        using var response = await PostAsync("/api/runs", """{"backend":"nope","prompt":"hello there"}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await CountRunsAsync());
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413()
    {
        var prompt = new string('x', 1024 * 1024 + 10);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/runs")
        {
            Content = new StringContent($$"""{"backend":"alpha","prompt":"{{prompt}}"}""", Encoding.UTF8, "application/json"),
        };

        // Like curl for large bodies: the refusal comes before the upload, so the client can read it.
        request.Headers.ExpectContinue = true;
        using var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Too_many_runs_is_a_429_and_cancel_frees_the_slot()
    {
        var id = await StartAsync("single", "hold the slot");

        using (var refused = await PostAsync("/api/runs", """{"backend":"single","prompt":"one too many"}"""))
        {
            Assert.Equal((HttpStatusCode)429, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        using (var cancel = await Http.PostAsync($"/api/runs/{id}/cancel", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }

        await app.Finished(id);
        using var doc = await GetJsonAsync($"/api/runs/{id}", HttpStatusCode.OK);
        Assert.Equal("cancelled", doc.RootElement.GetProperty("status").GetString());

        using (var again = await Http.PostAsync($"/api/runs/{id}/cancel", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        }

        var next = await StartAsync("single", "the slot is free again");
        using var cancelNext = await Http.PostAsync($"/api/runs/{next}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, cancelNext.StatusCode);
    }

    [Fact]
    public async Task Every_route_needs_the_bearer_token()
    {
        // Every /api endpoint the app really maps, so a route added later is covered by construction.
        var routes = ApiRoutes(app.Server.Services);
        Assert.Superset(
            new HashSet<string> { "GET /api/backends", "GET /api/backends/{name}/events", "GET /api/graph", "GET /api/runs", "GET /api/runs/{id}", "POST /api/runs", "POST /api/runs/{id}/cancel" },
            routes.Select(r => $"{r.Method} {r.Pattern}").ToHashSet());
        using var anonymous = app.Server.CreateApiClient(authorized: false);
        var before = await CountRunsAsync();

        foreach (var (method, pattern) in routes)
        {
            var path = System.Text.RegularExpressions.Regex.Replace(pattern, "{[^}]+}", "alpha");
            using var response = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
            {
                Content = method is "GET" or "DELETE" ? null : new StringContent("""{"backend":"alpha","prompt":"hello there"}""", Encoding.UTF8, "application/json"),
            });

            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path}: {(int)response.StatusCode}");
        }

        Assert.Equal(before, await CountRunsAsync());
    }

    private static List<(string Method, string Pattern)> ApiRoutes(IServiceProvider services) =>
        [.. services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (m, e.RoutePattern.RawText!)))];

    [Fact]
    public async Task Cancel_of_an_unknown_run_is_a_404_problem()
    {
        using var response = await Http.PostAsync("/api/runs/run-ffffffffffff/cancel", null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private void Publish(DashboardEvent e) => app.Server.Services.GetRequiredService<IDomainEventSink>().Publish(e);

    private async Task<string> StartAsync(string backend, string prompt)
    {
        using var response = await Http.PostAsJsonAsync("/api/runs", new { backend, prompt });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("id").GetString()!;
    }

    private async Task<int> CountRunsAsync()
    {
        using var doc = await GetJsonAsync("/api/runs", HttpStatusCode.OK);
        return doc.RootElement.GetArrayLength();
    }

    private Task<HttpResponseMessage> PostAsync(string path, string body) =>
        Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

    private async Task<JsonDocument> GetJsonAsync(string path, HttpStatusCode expected, bool problem = false)
    {
        using var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        Assert.Equal(problem ? "application/problem+json" : "application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text);
    }

    private static HashSet<string> Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];
}
