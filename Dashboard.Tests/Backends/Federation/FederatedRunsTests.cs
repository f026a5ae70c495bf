using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dashboard.Domain;
using Dashboard.Testing;
using Dashboard.Tests.LiveApi;
using Dashboard.Tests.Runs;

namespace Dashboard.Tests.Backends.Federation;

/// <summary>
/// Runs started and cancelled through a federating dashboard, with two real apps on loopback:
/// the parent sends them to the child's REST API, knows them at once, shows each once, and passes
/// the child's refusals on with their field errors. And the link's cursor survives a restart of
/// the parent (its own store file).
/// </summary>
public sealed class FederatedRunsTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly string _directory = Directory.CreateTempSubdirectory("fed-runs-").FullName;

    public void Dispose()
    {
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>The child: backend "alpha" (temperature at most 1 here, one run at a time); a run writes "Hello", waits for the gate, then ", world".</summary>
    private static TestApp Child(TaskCompletionSource gate, IEnumerable<KeyValuePair<string, string?>>? extra = null, int port = 0, string backend = "alpha") => new(
        new Dictionary<string, string?>
        {
            ["Dashboard:Backends:0:Name"] = backend,
            ["Dashboard:Backends:0:Kind"] = "test-fed-runs",
            ["Dashboard:Backends:0:MaxConcurrentRuns"] = "1",
        }.Concat(extra ?? []))
    {
        Demo = false,
        Port = port,
        Kinds = [new TestBackendKind("test-fed-runs")
        {
            RunValidation = request => request.Options?.TryGetValue("temperature", out var t) == true && t.GetDouble() > 1
                ? [new FieldError("options.temperature", "Temperature must be at most 1 on this backend.")]
                : [],
            Run = async (run, ct) =>
            {
                run.Stage("generating", StageStatus.Running, "writing", 0.5);
                run.Sink.Publish(new RunTextReceived { Backend = run.Backend, At = run.Clock.GetUtcNow(), RunId = run.RunId, Text = "Hello" });
                await gate.Task.WaitAsync(ct);
                run.Sink.Publish(new RunTextReceived { Backend = run.Backend, At = run.Clock.GetUtcNow(), RunId = run.RunId, Text = ", world" });
                run.Stage("generating", StageStatus.Completed, "done", 1);
                run.End(RunStatus.Completed);
            },
        }],
    };

    private static Dictionary<string, string?> Link(string url, string? storePath = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Dashboard:Backends:0:Name"] = "lab",
            ["Dashboard:Backends:0:Kind"] = "dashboard",
            ["Dashboard:Backends:0:BaseUrl"] = url,
            ["Dashboard:Backends:0:ApiKey"] = TestApp.Token,
        };
        if (storePath is not null)
        {
            settings["Dashboard:Storage:Provider"] = "sqlite";
            settings["Dashboard:Storage:Path"] = storePath;
        }

        return settings;
    }

    private static async Task<JsonElement> GetAsync(HttpClient http, string url) =>
        JsonDocument.Parse(await http.GetStringAsync(url)).RootElement.Clone();

    /// <summary>Polls until <paramref name="done"/> holds for the answer (the link works in the background).</summary>
    private static async Task<JsonElement> WhenAsync(HttpClient http, string url, Func<JsonElement, bool> done)
    {
        using var patience = new CancellationTokenSource(Patience);
        while (true)
        {
            var answer = await GetAsync(http, url);
            if (done(answer))
            {
                return answer;
            }

            await Task.Delay(50, patience.Token);
        }
    }

    private static JsonElement? Named(JsonElement items, string name) =>
        items.EnumerateArray().Where(i => i.GetProperty("name").GetString() == name).Cast<JsonElement?>().FirstOrDefault();

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    private static async Task<JsonElement> Problem(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    [Fact]
    public async Task A_run_started_on_the_parent_runs_on_the_child_is_known_at_once_shows_once_and_the_childs_refusals_and_cancel_pass_through()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var child = Child(gate);
        using var childHttp = LiveClients.Http(LiveClients.BaseUri(child));
        await using var parent = new TestApp(Link(child.BaseUrl)) { Demo = false };
        using var parentHttp = LiveClients.Http(LiveClients.BaseUri(parent));

        // The federated backend carries the child's own abilities and option fields.
        var own = Named(await GetAsync(childHttp, "api/backends"), "alpha")!.Value;
        var backends = await WhenAsync(parentHttp, "api/backends", items => Named(items, "lab/alpha") is { } b && b.GetProperty("capabilities").GetArrayLength() > 0);
        var remote = Named(backends, "lab/alpha")!.Value;
        Assert.Equal(["runs", "cancel"], Strings(remote.GetProperty("capabilities")));
        Assert.Equal(Strings(own.GetProperty("capabilities")), Strings(remote.GetProperty("capabilities")));
        Assert.Equal(own.GetProperty("options").GetRawText(), remote.GetProperty("options").GetRawText());
        Assert.Equal("temperature", remote.GetProperty("options")[0].GetProperty("name").GetString());

        await using var watch = await SseConnection.OpenAsync(parentHttp, "api/events?backend=" + Uri.EscapeDataString("lab/alpha"));
        Assert.Equal("snapshot", (await watch.NextAsync())!.Type);

        // Started here: resolvable at once, by its id here, with the child's id as its upstream id.
        using var started = await parentHttp.PostAsJsonAsync("api/runs", new { backend = "lab/alpha", prompt = "from the parent", options = new { temperature = 0.5 } });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var localId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var here = await GetAsync(parentHttp, $"api/runs/{localId}");
        Assert.Equal("lab/alpha", here.GetProperty("backend").GetString());
        Assert.Equal("from the parent", here.GetProperty("prompt").GetString());
        var childRunId = here.GetProperty("upstreamId").GetString()!;
        var there = await GetAsync(childHttp, $"api/runs/{childRunId}");
        Assert.Equal(("alpha", "from the parent"), (there.GetProperty("backend").GetString(), there.GetProperty("prompt").GetString()));
        Assert.Equal(0.5, there.GetProperty("options").GetProperty("temperature").GetDouble());

        // The child's refusals pass through with their status and field errors.
        using (var invalid = await parentHttp.PostAsJsonAsync("api/runs", new { backend = "lab/alpha", prompt = "too hot", options = new { temperature = 1.5 } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
            Assert.Equal(["Temperature must be at most 1 on this backend."], Strings((await Problem(invalid)).GetProperty("errors").GetProperty("options.temperature")));
        }

        using (var busy = await parentHttp.PostAsJsonAsync("api/runs", new { backend = "lab/alpha", prompt = "a second one" }))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, busy.StatusCode);
            Assert.Contains("MaxConcurrentRuns", Strings((await Problem(busy)).GetProperty("errors").GetProperty("backend"))[0], StringComparison.Ordinal);
        }

        // Cancel here is the child's cancel; the end comes back through the link.
        using (var cancel = await parentHttp.PostAsync($"api/runs/{localId}/cancel", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }

        var cancelledHere = await WhenAsync(parentHttp, $"api/runs/{localId}", r => r.GetProperty("status").GetString() != "running" && r.GetProperty("status").GetString() != "pending");
        Assert.Equal("cancelled", cancelledHere.GetProperty("status").GetString());
        Assert.Equal("cancelled", (await GetAsync(childHttp, $"api/runs/{childRunId}")).GetProperty("status").GetString());
        var first = await watch.UntilAsync(e => e.Type == "run.ended" && e.RunId == localId);
        Assert.Single(first, e => e.Type == "run.created");

        // A second run goes to its end: once here, with the child's text.
        gate.SetResult();
        using var second = await parentHttp.PostAsJsonAsync("api/runs", new { backend = "lab/alpha", prompt = "again" });
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var secondId = (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var rest = await watch.UntilAsync(e => e.Type == "run.ended" && e.RunId == secondId);
        Assert.Equal([secondId], rest.Where(e => e.Type == "run.created").Select(e => e.RunId));
        var done = await GetAsync(parentHttp, $"api/runs/{secondId}");
        Assert.Equal(("completed", "Hello, world"), (done.GetProperty("status").GetString(), done.GetProperty("text").GetString()));
        var listed = await GetAsync(parentHttp, "api/runs?backend=" + Uri.EscapeDataString("lab/alpha"));
        var ids = (listed.ValueKind == JsonValueKind.Array ? listed : listed.GetProperty("items")).EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.Equal(2, ids.Count);
        Assert.Equal(new[] { localId, secondId }.Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_link_keeps_its_cursor_in_the_parents_store_and_after_a_parent_restart_misses_nothing_and_doubles_nothing()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var child = Child(gate, [new("Dashboard:Backends:0:MaxConcurrentRuns", "4")]);
        using var childHttp = LiveClients.Http(LiveClients.BaseUri(child));
        var store = Path.Combine(_directory, "parent.db");

        string localId, childRunId;
        await using (var parent = new TestApp(Link(child.BaseUrl, store)) { Demo = false })
        {
            using var parentHttp = LiveClients.Http(LiveClients.BaseUri(parent));
            await WhenAsync(parentHttp, "api/backends", items => Named(items, "lab/alpha") is not null);
            using var started = await parentHttp.PostAsJsonAsync("api/runs", new { backend = "lab/alpha", prompt = "across a restart" });
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            localId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            var run = await WhenAsync(parentHttp, $"api/runs/{localId}", r => r.GetProperty("text").GetString() == "Hello");
            childRunId = run.GetProperty("upstreamId").GetString()!;
        }

        // While the parent is down: the run goes on and ends, and another starts and ends.
        gate.SetResult();
        await WhenAsync(childHttp, $"api/runs/{childRunId}", r => r.GetProperty("status").GetString() == "completed");
        using (var other = await childHttp.PostAsJsonAsync("api/runs", new { backend = "alpha", prompt = "while the parent was away" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
            var otherId = (await other.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            await WhenAsync(childHttp, $"api/runs/{otherId}", r => r.GetProperty("status").GetString() == "completed");
        }

        await using var restarted = new TestApp(Link(child.BaseUrl, store)) { Demo = false };
        using var http = LiveClients.Http(LiveClients.BaseUri(restarted));
        var resumed = await WhenAsync(http, $"api/runs/{localId}", r => r.GetProperty("status").GetString() == "completed");
        Assert.Equal("Hello, world", resumed.GetProperty("text").GetString());
        Assert.Equal(["writing", "done"], resumed.GetProperty("timeline").EnumerateArray().Select(t => t.GetProperty("message").GetString()!).Where(m => m is "writing" or "done").ToArray());

        var listed = await WhenAsync(http, "api/runs?backend=" + Uri.EscapeDataString("lab/alpha"),
            l => (l.ValueKind == JsonValueKind.Array ? l : l.GetProperty("items")).GetArrayLength() >= 2);
        var runs = (listed.ValueKind == JsonValueKind.Array ? listed : listed.GetProperty("items")).EnumerateArray().ToList();
        Assert.Equal(2, runs.Count);
        var away = Assert.Single(runs, r => r.GetProperty("id").GetString() != localId);
        Assert.Equal("while the parent was away", away.GetProperty("prompt").GetString());
        Assert.Contains(restarted.LogLines, l => l.Contains("Link lab resumes after sequence", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Runs_that_start_and_end_on_the_child_beyond_its_replay_window_while_the_parent_is_down_are_back_filled_once_with_their_end_and_text()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // A replay window of 5 events: the parent's kept cursor falls out of it while the parent is
        // down, so the link gets a snapshot instead of a resume and must back-fill.
        await using var child = Child(gate, [new("Dashboard:Backends:0:MaxConcurrentRuns", "4"), new("Dashboard:LiveApi:ReplayMaxEvents", "5")]);
        using var childHttp = LiveClients.Http(LiveClients.BaseUri(child));
        var store = Path.Combine(_directory, "parent.db");

        string localId, childRunId;
        await using (var parent = new TestApp(Link(child.BaseUrl, store)) { Demo = false })
        {
            using var parentHttp = LiveClients.Http(LiveClients.BaseUri(parent));
            await WhenAsync(parentHttp, "api/backends", items => Named(items, "lab/alpha") is not null);
            using var started = await parentHttp.PostAsJsonAsync("api/runs", new { backend = "lab/alpha", prompt = "in flight at the stop" });
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            localId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            var run = await WhenAsync(parentHttp, $"api/runs/{localId}", r => r.GetProperty("text").GetString() == "Hello");
            childRunId = run.GetProperty("upstreamId").GetString()!;
        }

        // While the parent is down: the run in flight ends, and three more start and end.
        gate.SetResult();
        await WhenAsync(childHttp, $"api/runs/{childRunId}", r => r.GetProperty("status").GetString() == "completed");
        var away = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var prompt in new[] { "away one", "away two", "away three" })
        {
            using var other = await childHttp.PostAsJsonAsync("api/runs", new { backend = "alpha", prompt });
            Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
            var otherId = (await other.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            await WhenAsync(childHttp, $"api/runs/{otherId}", r => r.GetProperty("status").GetString() == "completed");
            away[otherId] = prompt;
        }

        await using var restarted = new TestApp(Link(child.BaseUrl, store)) { Demo = false };
        using var http = LiveClients.Http(LiveClients.BaseUri(restarted));

        // The run that was in flight: settled from the child's REST API, with the stage it missed.
        var settled = await WhenAsync(http, $"api/runs/{localId}", r => r.GetProperty("status").GetString() == "completed");
        Assert.Equal("Hello, world", settled.GetProperty("text").GetString());
        Assert.Equal(["writing", "done"], settled.GetProperty("timeline").EnumerateArray().Select(t => t.GetProperty("message").GetString()!).Where(m => m is "writing" or "done").ToArray());

        // The three that came and went: each once, ended, with the child's text, timeline and times.
        var filter = "api/runs?backend=" + Uri.EscapeDataString("lab/alpha");
        var listed = await WhenAsync(http, filter, l => l.GetArrayLength() >= 4);
        Assert.Equal(4, listed.GetArrayLength());
        foreach (var (remoteId, prompt) in away)
        {
            var item = Assert.Single(listed.EnumerateArray(), r => r.GetProperty("upstreamId").GetString() == remoteId);
            var here = await GetAsync(http, $"api/runs/{item.GetProperty("id").GetString()}");
            var there = await GetAsync(childHttp, $"api/runs/{remoteId}");
            Assert.Equal(prompt, here.GetProperty("prompt").GetString());
            Assert.Equal(("completed", "Hello, world"), (here.GetProperty("status").GetString(), here.GetProperty("text").GetString()));
            Assert.Equal(there.GetProperty("startedAt").GetDateTimeOffset(), here.GetProperty("startedAt").GetDateTimeOffset());
            Assert.Equal(there.GetProperty("endedAt").GetDateTimeOffset(), here.GetProperty("endedAt").GetDateTimeOffset());
            Assert.Equal(
                there.GetProperty("timeline").EnumerateArray().Select(t => (t.GetProperty("stage").GetString(), t.GetProperty("status").GetString(), t.GetProperty("message").GetString())),
                here.GetProperty("timeline").EnumerateArray().Select(t => (t.GetProperty("stage").GetString(), t.GetProperty("status").GetString(), t.GetProperty("message").GetString())));
        }

        Assert.Contains(restarted.LogLines, l => l.Contains("Link lab back-filled 3 runs", StringComparison.Ordinal));

        // The link goes on live after the back-fill, and nothing came twice meanwhile.
        using (var after = await childHttp.PostAsJsonAsync("api/runs", new { backend = "alpha", prompt = "after the back-fill" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, after.StatusCode);
        }

        var all = await WhenAsync(http, filter, l => l.EnumerateArray().Any(r => r.GetProperty("prompt").GetString() == "after the back-fill" && r.GetProperty("status").GetString() == "completed"));
        Assert.Equal(
            ["after the back-fill", "away one", "away three", "away two", "in flight at the stop"],
            all.EnumerateArray().Select(r => r.GetProperty("prompt").GetString()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_run_started_here_on_a_backend_the_child_no_longer_has_gets_the_childs_404_with_its_problem_details()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        var port = FreePort();
        var child = Child(gate, port: port);
        _ = LiveClients.BaseUri(child); // started before the parent links to it
        await using var parent = new TestApp(Link($"http://127.0.0.1:{port}")) { Demo = false };
        using var parentHttp = LiveClients.Http(LiveClients.BaseUri(parent));
        await using (child)
        {
            await WhenAsync(parentHttp, "api/backends", items => Named(items, "lab/alpha") is { } b && b.GetProperty("capabilities").GetArrayLength() > 0);
        }

        // The child comes back at the same address without "alpha"; the parent still lists lab/alpha.
        await using var changed = Child(gate, port: port, backend: "beta");
        using var changedHttp = LiveClients.Http(LiveClients.BaseUri(changed));
        using var direct = await changedHttp.PostAsJsonAsync("api/runs", new { backend = "alpha", prompt = "anyone there?" });
        Assert.Equal(HttpStatusCode.NotFound, direct.StatusCode);
        var childProblem = await Problem(direct);

        using var relayed = await parentHttp.PostAsJsonAsync("api/runs", new { backend = "lab/alpha", prompt = "anyone there?" });
        Assert.Equal(HttpStatusCode.NotFound, relayed.StatusCode);
        Assert.Equal("application/problem+json", relayed.Content.Headers.ContentType?.MediaType);
        var problem = await Problem(relayed);
        var childErrors = Strings(childProblem.GetProperty("errors").GetProperty("backend"));
        Assert.NotEmpty(childErrors);
        Assert.Equal(childErrors, Strings(problem.GetProperty("errors").GetProperty("backend")));
        Assert.Equal(childProblem.GetProperty("detail").GetString(), problem.GetProperty("detail").GetString());
        Assert.Empty((await GetAsync(parentHttp, "api/runs?backend=" + Uri.EscapeDataString("lab/alpha"))).EnumerateArray());
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
