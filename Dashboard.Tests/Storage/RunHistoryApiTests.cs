using System.Net;
using System.Text.Json;
using Dashboard.Domain;
using Dashboard.Testing;
using Dashboard.Tests.Runs;

namespace Dashboard.Tests.Storage;

/// <summary>GET /api/runs paging, filters and search, delete, pin, export and graph ranges on the real app with a real history file.</summary>
public sealed class RunHistoryApiTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly StoreHarness _harness = new();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TestApp _server = null!;
    private HttpClient _client = null!;

    public Task InitializeAsync()
    {
        _server = new TestApp(
            new Dictionary<string, string?>
            {
                ["Dashboard:Storage:Provider"] = "sqlite",
                ["Dashboard:Storage:Path"] = _harness.Path,
                ["Dashboard:Backends:0:Name"] = "alpha",
                ["Dashboard:Backends:0:Kind"] = "test-runs",
                ["Dashboard:Backends:1:Name"] = "held",
                ["Dashboard:Backends:1:Kind"] = "test-held",
            })
        {
            Kinds = new[] { (Dashboard.Backends.IBackendKind)new TestBackendKind("test-runs")
            {
                Run = (run, _) =>
                {
                    run.Stage("generating", StageStatus.Running, "go | on", 0.5);
                    run.Sink.Publish(new RunTextReceived { Backend = run.Backend, At = run.Clock.GetUtcNow(), RunId = run.RunId, Text = "Answer to " + run.Request.Prompt });
                    run.End(RunStatus.Completed);
                    return Task.CompletedTask;
                },
            },
            new TestBackendKind("test-held") { Run = async (_, ct) => await _release.Task.WaitAsync(ct) } },
        };
        _client = _server.CreateApiClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _release.TrySetResult();
        _client.Dispose();
        await _server.DisposeAsync();
        _harness.Dispose();
    }

    [Theory]
    [InlineData("status=done", "status")]
    [InlineData("sort=name", "sort")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("before=not-a-cursor", "before")]
    [InlineData("since=2026-11-27T10:00:00", "since")]
    [InlineData("until=yesterday", "until")]
    [InlineData("since=2026-11-27T10:00:00Z&until=2026-11-26T10:00:00Z", "since")]
    public async Task Bad_parameters_are_a_400_problem_naming_them(string query, string parameter)
    {
        using var response = await _client.GetAsync($"/api/runs?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(parameter, out _), problem.RootElement.GetRawText());
    }

    [Fact]
    public async Task Pages_follow_the_link_header_through_every_run_once_newest_first()
    {
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await RunToEndAsync($"prompt number {i}"));
        }

        var seen = new List<string>();
        var url = "/api/runs?backend=alpha&limit=2";
        var pages = 0;
        while (url is not null)
        {
            using var response = await _client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            seen.AddRange(page.RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetString()!));
            url = response.Headers.TryGetValues("Link", out var links)
                ? System.Text.RegularExpressions.Regex.Match(links.Single(), "^<(?<u>[^>]+)>; rel=\"next\"$").Groups["u"].Value
                : null;
            pages++;
        }

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Reverse(ids), seen);

        // A run id is a cursor when sorting by start.
        using var after = JsonDocument.Parse(await _client.GetStringAsync($"/api/runs?backend=alpha&before={ids[2]}"));
        Assert.Equal([ids[1], ids[0]], after.RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Full_text_search_finds_words_shows_the_match_and_never_fails_on_syntax()
    {
        var zebra = await RunToEndAsync("a zebra crossing");
        await RunToEndAsync("a plain prompt");

        using var found = JsonDocument.Parse(await _client.GetStringAsync("/api/runs?q=zebra"));
        var hit = Assert.Single(found.RootElement.EnumerateArray());
        Assert.Equal(zebra, hit.GetProperty("id").GetString());
        Assert.Contains("«zebra»", hit.GetProperty("match").GetString(), StringComparison.Ordinal);

        foreach (var q in new[] { "\"", "*", "NEAR(zebra", "-", "zebra\" OR \"x", "AND", "(((" })
        {
            using var response = await _client.GetAsync($"/api/runs?q={Uri.EscapeDataString(q)}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task Delete_removes_an_ended_run_refuses_one_in_flight_and_404s_an_unknown_one()
    {
        var id = await RunToEndAsync("to be deleted");
        var held = await StartAsync("held", "still running");

        using (var inFlight = await _client.DeleteAsync($"/api/runs/{held}"))
        {
            Assert.Equal(HttpStatusCode.Conflict, inFlight.StatusCode);
        }

        using (var deleted = await _client.DeleteAsync($"/api/runs/{id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using (var gone = await _client.GetAsync($"/api/runs/{id}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        using var unknown = await _client.DeleteAsync("/api/runs/run-000000000000");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Pin_and_unpin_show_in_the_list()
    {
        var id = await RunToEndAsync("keep me");

        using (var pin = await _client.PostAsync($"/api/runs/{id}/pin", null))
        {
            Assert.Equal(HttpStatusCode.NoContent, pin.StatusCode);
        }

        Assert.True(await PinnedAsync(id));
        using (var unpin = await _client.DeleteAsync($"/api/runs/{id}/pin"))
        {
            Assert.Equal(HttpStatusCode.NoContent, unpin.StatusCode);
        }

        Assert.False(await PinnedAsync(id));
        using var unknown = await _client.PostAsync("/api/runs/run-000000000000/pin", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Clear_history_deletes_every_ended_run_that_is_not_pinned_and_keeps_runs_in_flight()
    {
        var first = await RunToEndAsync("clear me");
        var second = await RunToEndAsync("clear me too");
        var pinned = await RunToEndAsync("keep me pinned");
        using (var pin = await _client.PostAsync($"/api/runs/{pinned}/pin", null))
        {
            Assert.Equal(HttpStatusCode.NoContent, pin.StatusCode);
        }

        var held = await StartAsync("held", "still running");

        using (var cleared = await _client.DeleteAsync("/api/runs"))
        {
            Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
            using var body = JsonDocument.Parse(await cleared.Content.ReadAsStringAsync());
            Assert.Equal(2, body.RootElement.GetProperty("deleted").GetInt32());
        }

        foreach (var id in new[] { first, second })
        {
            using var gone = await _client.GetAsync($"/api/runs/{id}");
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        using var list = JsonDocument.Parse(await _client.GetStringAsync("/api/runs"));
        Assert.Equal(
            new[] { held, pinned }.Order(StringComparer.Ordinal),
            list.RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetString()!).Order(StringComparer.Ordinal));

        // Writing needs the write token, like every other change.
        using var anonymous = _server.CreateApiClient(authorized: false);
        using var refused = await anonymous.DeleteAsync("/api/runs");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Export_gives_the_run_as_json_and_as_markdown()
    {
        var id = await RunToEndAsync("export ```this``` please");

        var json = await _client.GetStringAsync($"/api/runs/{id}/export?format=json");
        Assert.Equal(await _client.GetStringAsync($"/api/runs/{id}"), json);

        using var md = await _client.GetAsync($"/api/runs/{id}/export?format=md");
        Assert.Equal("text/markdown", md.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"{id}.md", md.Content.Headers.ContentDisposition?.FileNameStar ?? md.Content.Headers.ContentDisposition?.FileName);
        var text = await md.Content.ReadAsStringAsync();
        Assert.Contains($"# Run {id}", text, StringComparison.Ordinal);
        Assert.Contains("````\nexport ```this``` please\n````", text, StringComparison.Ordinal);
        Assert.Contains("| at | stage | status | progress | message |", text, StringComparison.Ordinal);
        Assert.Contains("go \\| on", text, StringComparison.Ordinal);
        Assert.Contains("Answer to export", text, StringComparison.Ordinal);

        using var bad = await _client.GetAsync($"/api/runs/{id}/export?format=pdf");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Graph_ranges_are_checked()
    {
        foreach (var range in new[] { "1h", "24h", "7d", "30d" })
        {
            using var ok = await _client.GetAsync($"/api/graph?range={range}");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var bad = await _client.GetAsync("/api/graph?range=2h");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    private async Task<bool> PinnedAsync(string id)
    {
        using var list = JsonDocument.Parse(await _client.GetStringAsync("/api/runs?backend=alpha"));
        return list.RootElement.EnumerateArray().Single(r => r.GetProperty("id").GetString() == id).GetProperty("pinned").GetBoolean();
    }

    private async Task<string> RunToEndAsync(string prompt)
    {
        var id = await StartAsync("alpha", prompt);
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            using var run = JsonDocument.Parse(await _client.GetStringAsync($"/api/runs/{id}", deadline.Token));
            if (run.RootElement.GetProperty("status").GetString() == "completed")
            {
                return id;
            }

            await Task.Yield();
        }
    }

    private async Task<string> StartAsync(string backend, string prompt)
    {
        using var response = await _client.PostAsync("/api/runs", new StringContent(JsonSerializer.Serialize(new { backend, prompt }), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("id").GetString()!;
    }
}
