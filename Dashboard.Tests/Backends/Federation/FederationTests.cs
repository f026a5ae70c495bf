using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Dashboard.Domain;
using Dashboard.Testing;
using Dashboard.Tests.LiveApi;
using Dashboard.Tests.Runs;

namespace Dashboard.Tests.Backends.Federation;

/// <summary>
/// The <c>dashboard</c> backend kind with two (or three) real apps on loopback: the parent
/// follows the child's hub with SignalR.Client and shows its backends and runs live as
/// <c>&lt;link&gt;/&lt;backend&gt;</c>; a link back to itself or a loop of two is refused.
/// </summary>
public sealed class FederationTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static TestApp Child(TaskCompletionSource gate, int port = 0, IEnumerable<KeyValuePair<string, string?>>? extra = null) => new(
        new Dictionary<string, string?>
        {
            ["Dashboard:Backends:0:Name"] = "alpha",
            ["Dashboard:Backends:0:Kind"] = "test-fed-runs",
        }.Concat(extra ?? []))
    {
        Demo = false,
        Port = port,
        Kinds = [new TestBackendKind("test-fed-runs")
        {
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

    private static Dictionary<string, string?> Link(string name, string url, int index = 0) => new()
    {
        [$"Dashboard:Backends:{index}:Name"] = name,
        [$"Dashboard:Backends:{index}:Kind"] = "dashboard",
        [$"Dashboard:Backends:{index}:BaseUrl"] = url,
        [$"Dashboard:Backends:{index}:ApiKey"] = TestApp.Token,
    };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<JsonElement> GetAsync(HttpClient http, string url) =>
        JsonDocument.Parse(await http.GetStringAsync(url)).RootElement.Clone();

    /// <summary>Polls the backends list until <paramref name="done"/> holds for it (the link works in the background).</summary>
    private static async Task<JsonElement> BackendsWhenAsync(HttpClient http, Func<JsonElement[], bool> done)
    {
        using var patience = new CancellationTokenSource(Patience);
        while (true)
        {
            var items = (await GetAsync(http, "api/backends")).EnumerateArray().ToArray();
            if (done(items))
            {
                return JsonSerializer.SerializeToElement(items);
            }

            await Task.Delay(100, patience.Token);
        }
    }

    private static JsonElement? Named(JsonElement[] items, string name) =>
        items.Where(i => i.GetProperty("name").GetString() == name).Cast<JsonElement?>().FirstOrDefault();

    [Fact]
    public async Task A_run_started_on_the_child_is_seen_live_on_the_parent_once_with_the_same_timeline_and_text()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var child = Child(gate);
        using var childHttp = LiveClients.Http(LiveClients.BaseUri(child));
        var childInstance = (await GetAsync(childHttp, "api/info")).GetProperty("instance").GetString();

        await using var parent = new TestApp(Link("lab", child.BaseUrl)) { Demo = false };
        using var parentHttp = LiveClients.Http(LiveClients.BaseUri(parent));

        // The child's backend appears under the link's name, saying where it came from.
        var backends = await BackendsWhenAsync(parentHttp, items => Named(items, "lab/alpha") is not null);
        var remote = Named(backends.EnumerateArray().ToArray(), "lab/alpha")!.Value;
        Assert.Equal([childInstance], remote.GetProperty("via").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("test-fed-runs", remote.GetProperty("kind").GetString());
        var link = Named(backends.EnumerateArray().ToArray(), "lab")!.Value;
        Assert.Equal("dashboard", link.GetProperty("kind").GetString());
        Assert.Empty(link.GetProperty("via").EnumerateArray());

        // The child's own list names what each backend can do and its form fields.
        var own = Named((await GetAsync(childHttp, "api/backends")).EnumerateArray().ToArray(), "alpha")!.Value;
        Assert.Contains("runs", own.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(JsonValueKind.Array, own.GetProperty("options").ValueKind);

        await using var watch = await SseConnection.OpenAsync(parentHttp, "api/events?backend=" + Uri.EscapeDataString("lab/alpha"));
        Assert.Equal("snapshot", (await watch.NextAsync())!.Type);

        using var started = await childHttp.PostAsJsonAsync("api/runs", new { backend = "alpha", prompt = "say hello" });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var childRunId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        // Live: the first words reach the parent while the child's run is still held.
        var early = await watch.UntilAsync(e => e.Type == "run.text" && e.Str("delta") == "Hello");
        var created = Assert.Single(early, e => e.Type == "run.created");
        var localId = created.RunId!;
        Assert.NotEqual(childRunId, localId);
        Assert.Equal("lab/alpha", created.Backend);
        Assert.Equal("say hello", created.Str("prompt"));

        gate.SetResult();
        var rest = await watch.UntilAsync(e => e.Type == "run.ended");
        Assert.DoesNotContain(rest, e => e.Type == "run.created");
        Assert.Equal("completed", rest[^1].Str("status"));

        var here = await GetAsync(parentHttp, $"api/runs/{localId}");
        JsonElement there;
        using (var patience = new CancellationTokenSource(Patience))
        {
            do
            {
                there = await GetAsync(childHttp, $"api/runs/{childRunId}");
            }
            while (there.GetProperty("status").GetString() != "completed" && !patience.IsCancellationRequested);
        }

        Assert.Equal(childRunId, here.GetProperty("upstreamId").GetString());
        Assert.Equal(("completed", "Hello, world"), (here.GetProperty("status").GetString(), here.GetProperty("text").GetString()));
        Assert.Equal(there.GetProperty("text").GetString(), here.GetProperty("text").GetString());
        static IEnumerable<(string?, string?, string?)> Timeline(JsonElement run) => run.GetProperty("timeline").EnumerateArray()
            .Select(t => (t.GetProperty("stage").GetString(), t.GetProperty("status").GetString(), t.GetProperty("message").GetString()));
        Assert.Equal(Timeline(there), Timeline(here));
    }

    [Fact]
    public async Task A_link_to_itself_is_refused_with_a_clear_message()
    {
        var port = FreePort();
        await using var app = new TestApp(Link("me", $"http://127.0.0.1:{port}")) { Demo = false, Port = port };
        using var http = LiveClients.Http(LiveClients.BaseUri(app));
        // The error and the failed state are two updates of the link's health: wait for both.
        var items = await BackendsWhenAsync(http, items => Named(items, "me") is { } me
            && me.GetProperty("lastError").GetString() is { } error && error.Contains("this dashboard itself", StringComparison.Ordinal)
            && me.GetProperty("state").GetString() == "failed");
        var link = Named(items.EnumerateArray().ToArray(), "me")!.Value;
        Assert.Contains("refused", link.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Equal("failed", link.GetProperty("state").GetString());
        Assert.DoesNotContain(items.EnumerateArray(), i => i.GetProperty("name").GetString()!.StartsWith("me/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_loop_of_two_dashboards_is_refused_and_brings_no_backend_back()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int portA = FreePort(), portB = FreePort();
        await using var a = Child(gate, portA, Link("b", $"http://127.0.0.1:{portB}", index: 1));
        await using var b = new TestApp(Link("a", $"http://127.0.0.1:{portA}")) { Demo = false, Port = portB };
        using var httpA = LiveClients.Http(LiveClients.BaseUri(a));
        using var httpB = LiveClients.Http(LiveClients.BaseUri(b));

        static bool Refused(JsonElement[] items, string link) =>
            Named(items, link)?.GetProperty("lastError").GetString() is { } error && error.Contains("loop", StringComparison.Ordinal);

        // Whichever side sees the other's copy of its own backends first refuses; B shows A's backend (or A refused).
        using var patience = new CancellationTokenSource(Patience);
        JsonElement[] itemsA, itemsB;
        do
        {
            await Task.Delay(100, patience.Token);
            itemsA = (await GetAsync(httpA, "api/backends")).EnumerateArray().ToArray();
            itemsB = (await GetAsync(httpB, "api/backends")).EnumerateArray().ToArray();
        }
        while (!Refused(itemsA, "b") && !Refused(itemsB, "a"));

        // Nothing came back around: no name went through both links.
        Assert.DoesNotContain(itemsA.Select(i => i.GetProperty("name").GetString()), n => n!.StartsWith("b/a/", StringComparison.Ordinal));
        Assert.DoesNotContain(itemsB.Select(i => i.GetProperty("name").GetString()), n => n!.StartsWith("a/b/", StringComparison.Ordinal));
        var refusal = Refused(itemsA, "b") ? Named(itemsA, "b")!.Value : Named(itemsB, "a")!.Value;
        Assert.Contains("own backends back", refusal.GetProperty("lastError").GetString(), StringComparison.Ordinal);
    }
}
