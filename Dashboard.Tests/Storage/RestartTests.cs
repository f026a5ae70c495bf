using Dashboard.Configuration;
using System.Net;
using System.Text.Json;
using Dashboard.Domain;
using Dashboard.Storage;
using Dashboard.Testing;
using Dashboard.Tests.Runs;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Storage;

/// <summary>The real app restarted on the same history file.</summary>
public sealed class RestartTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly StoreHarness _harness = new();
    private int _upstreamCancels;

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Every_ended_run_reads_identically_after_a_restart_and_a_run_in_flight_ends_interrupted_without_an_upstream_cancel()
    {
        var ended = new Dictionary<string, string>();
        string inFlight;
        await using (var first = Server())
        {
            using var client = first.CreateApiClient();
            Assert.Equal(StorageOptions.Sqlite, first.Services.GetRequiredService<IHistoryStore>().Provider);

            foreach (var prompt in new[] { "first", "second", "third" })
            {
                var id = await StartAsync(client, "alpha", prompt);
                ended[id] = await WaitForEndAsync(client, id);
            }

            inFlight = await StartAsync(client, "single", "keeps going");
            await WaitForAsync(client, inFlight, run => run.GetProperty("text").GetString() == "so far");
        }

        Assert.Equal(0, Volatile.Read(ref _upstreamCancels));

        await using var second = Server();
        using var again = second.CreateApiClient();
        foreach (var (id, json) in ended)
        {
            Assert.Equal(json, await again.GetStringAsync($"/api/runs/{id}"));
        }

        // The run is back in flight until the backends are known and its client turns out unable to re-attach.
        var settled = "";
        await WaitForAsync(again, inFlight, run =>
        {
            settled = run.GetRawText();
            return run.GetProperty("status").GetString() is not ("pending" or "running");
        });
        using var interrupted = JsonDocument.Parse(settled);
        Assert.Equal("interrupted", interrupted.RootElement.GetProperty("status").GetString());
        Assert.Equal("so far", interrupted.RootElement.GetProperty("text").GetString());
        Assert.Equal(SqliteHistoryStore.InterruptedMessage, interrupted.RootElement.GetProperty("error").GetString());
        Assert.Equal("up-" + inFlight, interrupted.RootElement.GetProperty("upstreamId").GetString());
    }

    private TestApp Server() => Host(
        new Dictionary<string, string?>
        {
            ["Dashboard:Storage:Provider"] = "sqlite",
            ["Dashboard:Storage:Path"] = _harness.Path,
            ["Dashboard:Backends:0:Name"] = "alpha",
            ["Dashboard:Backends:0:Kind"] = "test-runs",
            ["Dashboard:Backends:1:Name"] = "single",
            ["Dashboard:Backends:1:Kind"] = "test-block",
        },
        new TestBackendKind("test-runs")
        {
            Run = (run, _) =>
            {
                run.AssignUpstreamId("up-" + run.RunId);
                run.Stage("generating", StageStatus.Running, "halfway", 0.5);
                run.Sink.Publish(new RunTextReceived { Backend = run.Backend, At = run.Clock.GetUtcNow(), RunId = run.RunId, Text = "Hello, " });
                run.Sink.Publish(new RunTextReceived { Backend = run.Backend, At = run.Clock.GetUtcNow(), RunId = run.RunId, Text = "world about " + run.Request.Prompt });
                run.Sink.Publish(new RunTextReceived { Backend = run.Backend, At = run.Clock.GetUtcNow(), RunId = run.RunId, Text = "thinking", Channel = TextChannel.Thinking });
                run.Sink.Publish(new RunToolCallUpdated { Backend = run.Backend, At = run.Clock.GetUtcNow(), RunId = run.RunId, ToolCallId = "t1", Name = "lookup", ArgumentsDelta = "{}" });
                run.Sink.Publish(new RunUsageReported { Backend = run.Backend, At = run.Clock.GetUtcNow(), RunId = run.RunId, Usage = new Usage(3, 5, 8) });
                run.Sink.Publish(new RunMetadataReported { Backend = run.Backend, At = run.Clock.GetUtcNow(), RunId = run.RunId, Metadata = new Dictionary<string, string> { ["language"] = "python" } });
                run.Stage("generating", StageStatus.Completed, "done", 1);
                run.End(RunStatus.Completed);
                return Task.CompletedTask;
            },
        },
        new TestBackendKind("test-block")
        {
            Run = async (run, ct) =>
            {
                run.AssignUpstreamId("up-" + run.RunId);
                run.Sink.Publish(new RunTextReceived { Backend = run.Backend, At = run.Clock.GetUtcNow(), RunId = run.RunId, Text = "so far" });
                await Task.Delay(Timeout.Infinite, ct);
            },
            Cancel = (_, _) =>
            {
                Interlocked.Increment(ref _upstreamCancels);
                return Task.CompletedTask;
            },
        });

    private static TestApp Host(Dictionary<string, string?> settings, params Dashboard.Backends.IBackendKind[] kinds) => new(settings) { Kinds = kinds };

    private static async Task<string> StartAsync(HttpClient client, string backend, string prompt)
    {
        using var response = await client.PostAsync("/api/runs", JsonContent(new { backend, prompt, options = new { temperature = 0.3 } }));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<string> WaitForEndAsync(HttpClient client, string id)
    {
        var json = "";
        await WaitForAsync(client, id, run =>
        {
            json = run.GetRawText();
            return run.GetProperty("status").GetString() is "completed" or "failed";
        });
        return json;
    }

    private static async Task WaitForAsync(HttpClient client, string id, Func<JsonElement, bool> done)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            using var run = JsonDocument.Parse(await client.GetStringAsync($"/api/runs/{id}", deadline.Token));
            if (done(run.RootElement))
            {
                return;
            }

            // Polling the API as a script would; each answer is a fresh read of the state.
            await Task.Yield();
        }
    }

    private static StringContent JsonContent(object body) =>
        new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}
