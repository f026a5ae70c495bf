using System.Net;
using System.Text.Json;
using Dashboard.Domain;
using Dashboard.Storage;
using Dashboard.Testing;
using Dashboard.Tests.Backends.Codegen;
using Dashboard.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Storage;

/// <summary>
/// Two lifetimes of the real app on one history file, with a code-generation upstream on
/// loopback that goes on with the generation while the dashboard is down.
/// </summary>
public sealed class ReattachTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly StoreHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_codegen_run_in_flight_at_a_restart_is_followed_again_and_completes_with_nothing_shown_twice()
    {
        var upstream = new FakeCodegenUpstream { HoldOpenAfterScript = true };
        upstream.Script.Add(FakeCodegenUpstream.Event("connected", "processing", 0.0, "Connected to generation stream"));
        upstream.Script.Add(FakeCodegenUpstream.Event("code_generation", "processing", 0.3, "Writing models", "part 1"));
        await using var server = await LoopbackUpstream.StartAsync(upstream.Map);

        string id;
        await using (var first = App(server))
        {
            using var client = first.CreateApiClient();
            id = await StartAsync(client);
            await WaitForAsync(client, id, run => run.GetProperty("text").GetString() == "part 1");
        }

        // The dashboard is down; upstream the generation goes on to its end.
        upstream.HoldOpenAfterScript = false;
        upstream.Script.Add(FakeCodegenUpstream.Event("code_generation", "processing", 0.7, "Writing routes", "part 1, part 2"));
        upstream.Script.Add(FakeCodegenUpstream.Event("complete", "completed", 1.0, "Generation complete", "final output"));

        await using var second = App(server);
        using var again = second.CreateApiClient();
        var ended = await WaitForAsync(again, id, run => run.GetProperty("status").GetString() is not ("pending" or "running"));

        Assert.Equal("completed", ended.GetProperty("status").GetString());
        Assert.Equal("final output", ended.GetProperty("text").GetString());
        Assert.Equal(FakeCodegenUpstream.GenerationId, ended.GetProperty("upstreamId").GetString());
        var timeline = ended.GetProperty("timeline").EnumerateArray()
            .Select(t => $"{t.GetProperty("stage").GetString()} {t.GetProperty("progress")}")
            .ToList();
        Assert.Equal(["connected 0", "code_generation 0.3", "code_generation 0.7", "complete 1"], timeline);

        // Started upstream once, never cancelled; the second lifetime only asked for a new stream token.
        Assert.Equal(1, upstream.Log.Count(l => l == "generate"));
        Assert.DoesNotContain(upstream.Log, l => l.StartsWith("cancel", StringComparison.Ordinal));
        Assert.Equal(2, upstream.Log.Count(l => l == "stream"));

        // Listed once, as ended, and read back identically from the store.
        using var list = JsonDocument.Parse(await again.GetStringAsync("/api/runs"));
        Assert.Single(list.RootElement.EnumerateArray(), r => r.GetProperty("id").GetString() == id);
        var store = second.Services.GetRequiredService<IHistoryStore>();
        await store.FlushAsync();
        Assert.Equal(RunStatus.Completed, store.FindRun(id)?.Status);
    }

    [Fact]
    public async Task A_jobs_run_in_flight_at_a_restart_is_followed_again_and_completes_with_nothing_shown_twice()
    {
        // A job upstream: its progress is state on the server, so each stream starts from where the job is now.
        var created = 0;
        var streams = 0;
        var finish = false;
        await using var server = await LoopbackUpstream.StartAsync(app =>
        {
            app.MapPost("/jobs", context =>
            {
                Interlocked.Increment(ref created);
                return LoopbackUpstream.JsonAsync(context, 200, """{"job_id": "job-7"}""");
            });
            app.MapGet("/jobs/{id}/progress", async context =>
            {
                Interlocked.Increment(ref streams);
                await LoopbackUpstream.BeginStreamAsync(context);
                if (!Volatile.Read(ref finish))
                {
                    await LoopbackUpstream.WriteAsync(context, "data: {\"status\": \"running\", \"progress\": 30, \"message\": \"a third\"}\n\n");
                    await LoopbackUpstream.HoldOpenAsync(context);
                    return;
                }

                await LoopbackUpstream.WriteAsync(context,
                    "data: {\"status\": \"running\", \"progress\": 70, \"message\": \"most\"}\n\n"
                    + "data: {\"status\": \"completed\", \"progress\": 100, \"message\": \"done\"}\n\n"
                    + "data: [DONE]\n\n");
            });
        });

        string id;
        await using (var first = App(server, "jobs"))
        {
            using var client = first.CreateApiClient();
            id = await StartAsync(client, "work");
            await WaitForAsync(client, id, run => run.GetProperty("progress").ValueKind == JsonValueKind.Number && run.GetProperty("progress").GetDouble() == 0.3);
        }

        // The dashboard is down; upstream the job goes on to its end.
        Volatile.Write(ref finish, true);

        await using var second = App(server, "jobs");
        using var again = second.CreateApiClient();
        var ended = await WaitForAsync(again, id, run => run.GetProperty("status").GetString() is not ("pending" or "running"));

        Assert.Equal("completed", ended.GetProperty("status").GetString());
        Assert.Equal("job-7", ended.GetProperty("upstreamId").GetString());
        var timeline = ended.GetProperty("timeline").EnumerateArray()
            .Select(t => $"{t.GetProperty("stage").GetString()} {t.GetProperty("progress")}")
            .ToList();
        Assert.Equal(["running 0.3", "running 0.7", "completed 1"], timeline);

        // Created upstream once; the second lifetime only opened its progress again.
        Assert.Equal(1, Volatile.Read(ref created));
        Assert.Equal(2, Volatile.Read(ref streams));

        using var list = JsonDocument.Parse(await again.GetStringAsync("/api/runs"));
        Assert.Single(list.RootElement.EnumerateArray(), r => r.GetProperty("id").GetString() == id);
        var store = second.Services.GetRequiredService<IHistoryStore>();
        await store.FlushAsync();
        Assert.Equal(RunStatus.Completed, store.FindRun(id)?.Status);
    }

    private TestApp App(LoopbackUpstream server, string kind) => new(new Dictionary<string, string?>
    {
        ["Dashboard:Storage:Provider"] = "sqlite",
        ["Dashboard:Storage:Path"] = _harness.Path,
        ["Dashboard:Backends:0:Name"] = "work",
        ["Dashboard:Backends:0:Kind"] = kind,
        ["Dashboard:Backends:0:BaseUrl"] = server.BaseUrl,
    });

    private TestApp App(LoopbackUpstream server) => new(new Dictionary<string, string?>
    {
        ["Dashboard:Storage:Provider"] = "sqlite",
        ["Dashboard:Storage:Path"] = _harness.Path,
        ["Dashboard:Backends:0:Name"] = "gen",
        ["Dashboard:Backends:0:Kind"] = "codegen",
        ["Dashboard:Backends:0:BaseUrl"] = server.BaseUrl,
        ["Dashboard:Backends:0:Username"] = FakeCodegenUpstream.User,
        ["Dashboard:Backends:0:Password"] = FakeCodegenUpstream.Password,
    });

    private static async Task<string> StartAsync(HttpClient client, string backend = "gen")
    {
        using var response = await client.PostAsync("/api/runs", new StringContent(
            JsonSerializer.Serialize(new { backend, prompt = "Build a todo API with due dates" }), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> WaitForAsync(HttpClient client, string id, Func<JsonElement, bool> done)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            using var run = JsonDocument.Parse(await client.GetStringAsync($"/api/runs/{id}", deadline.Token));
            if (done(run.RootElement))
            {
                return run.RootElement.Clone();
            }

            // Polling the API as a script would; each answer is a fresh read of the state.
            await Task.Yield();
        }
    }
}
