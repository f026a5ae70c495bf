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
    private static TestApp Child(TaskCompletionSource gate, IEnumerable<KeyValuePair<string, string?>>? extra = null) => new(
        new Dictionary<string, string?>
        {
            ["Dashboard:Backends:0:Name"] = "alpha",
            ["Dashboard:Backends:0:Kind"] = "test-fed-runs",
            ["Dashboard:Backends:0:MaxConcurrentRuns"] = "1",
        }.Concat(extra ?? []))
    {
        Demo = false,
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
}
