using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Dashboard.Tests.Backends.Codegen;
using Dashboard.Tests.TestSupport;

namespace Dashboard.Tests.Storage;

/// <summary>The app as its own process, killed with <c>kill -9</c> mid-run and started again on the same history file.</summary>
public sealed class KillRestartTests : IDisposable
{
    private const string Token = "kill-restart-token-0123456789";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly StoreHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task After_kill_9_the_file_opens_the_ended_run_is_identical_and_the_codegen_run_is_followed_to_its_end()
    {
        var quick = new FakeCodegenUpstream();
        quick.Script.Add(FakeCodegenUpstream.Event("connected", "processing", 0.0, "Connected"));
        quick.Script.Add(FakeCodegenUpstream.Event("complete", "completed", 1.0, "Done", "quick output"));
        var slow = new FakeCodegenUpstream { HoldOpenAfterScript = true };
        slow.Script.Add(FakeCodegenUpstream.Event("connected", "processing", 0.0, "Connected"));
        slow.Script.Add(FakeCodegenUpstream.Event("code_generation", "processing", 0.4, "Writing", "so far"));
        await using var quickServer = await LoopbackUpstream.StartAsync(quick.Map);
        await using var slowServer = await LoopbackUpstream.StartAsync(slow.Map);

        string ended;
        string endedJson;
        string inFlight;
        using (var first = Start(quickServer, slowServer))
        {
            using var client = await ClientAsync(first);
            ended = await StartRunAsync(client, "quick");
            endedJson = await WaitForAsync(client, ended, r => r.GetProperty("status").GetString() == "completed");
            inFlight = await StartRunAsync(client, "slow");
            await WaitForAsync(client, inFlight, r => r.GetProperty("text").GetString() == "so far");

            // Listing waits for the store's queue to be written: both runs are on disk before the kill.
            using var list = JsonDocument.Parse(await client.GetStringAsync("/api/runs"));
            Assert.Equal(2, list.RootElement.GetArrayLength());

            first.SendSigkill();
            Assert.NotEqual(0, await first.WaitForExitAsync(Patience));
        }

        slow.HoldOpenAfterScript = false;
        slow.Script.Add(FakeCodegenUpstream.Event("complete", "completed", 1.0, "Done", "slow output"));

        using var second = Start(quickServer, slowServer);
        using var again = await ClientAsync(second);
        Assert.Equal(endedJson, await again.GetStringAsync($"/api/runs/{ended}"));
        var resumed = await WaitForAsync(again, inFlight, r => r.GetProperty("status").GetString() is not ("pending" or "running"));
        using var doc = JsonDocument.Parse(resumed);
        Assert.Equal("completed", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal("slow output", doc.RootElement.GetProperty("text").GetString());
        Assert.Equal(1, slow.Log.Count(l => l == "generate"));
        Assert.Single(doc.RootElement.GetProperty("timeline").EnumerateArray(), t => t.GetProperty("stage").GetString() == "code_generation");
        Assert.DoesNotContain(second.Out.Concat(second.Err), l => l.Contains("could not be prepared", StringComparison.Ordinal));
    }

    private AppProcess Start(LoopbackUpstream quick, LoopbackUpstream slow) => AppProcess.Start("Production",
    [
        "--urls", "http://127.0.0.1:0",
        $"--Dashboard:Auth:Token={Token}",
        "--Dashboard:Storage:Provider=sqlite",
        $"--Dashboard:Storage:Path={_harness.Path}",
        "--Dashboard:Backends:0:Name=quick",
        "--Dashboard:Backends:0:Kind=codegen",
        $"--Dashboard:Backends:0:BaseUrl={quick.BaseUrl}",
        $"--Dashboard:Backends:0:Username={FakeCodegenUpstream.User}",
        $"--Dashboard:Backends:0:Password={FakeCodegenUpstream.Password}",
        "--Dashboard:Backends:1:Name=slow",
        "--Dashboard:Backends:1:Kind=codegen",
        $"--Dashboard:Backends:1:BaseUrl={slow.BaseUrl}",
        $"--Dashboard:Backends:1:Username={FakeCodegenUpstream.User}",
        $"--Dashboard:Backends:1:Password={FakeCodegenUpstream.Password}",
    ]);

    private static async Task<HttpClient> ClientAsync(AppProcess app)
    {
        var client = new HttpClient { BaseAddress = new Uri(await app.BaseUrlAsync()) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return client;
    }

    private static async Task<string> StartRunAsync(HttpClient client, string backend)
    {
        using var response = await client.PostAsync("/api/runs", new StringContent(
            JsonSerializer.Serialize(new { backend, prompt = "Build a todo API with due dates" }), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<string> WaitForAsync(HttpClient client, string id, Func<JsonElement, bool> done)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            var json = await client.GetStringAsync($"/api/runs/{id}", deadline.Token);
            using var run = JsonDocument.Parse(json);
            if (done(run.RootElement))
            {
                return json;
            }

            // Polling the API as a script would; each answer is a fresh read.
            await Task.Yield();
        }
    }
}
