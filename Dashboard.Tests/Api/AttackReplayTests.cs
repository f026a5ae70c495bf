using Dashboard.Testing;
using System.Net;
using System.Text;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Tests.Backends.Codegen;
using Dashboard.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Api;

/// <summary>
/// The two memory attacks of a hostile upstream, replayed over real loopback sockets against the
/// real app at the attack's own sizes: 60 events with 4 MB <c>id:</c> and <c>event:</c> lines into
/// the inspector, and a codegen run of 60 stage messages of 4 MB each (ATTACK_LINE_CHARS sets
/// another line length). Without byte budgets that is ~960 MB of UTF-16 strings in the inspector
/// and ~480 MB in the run. The growth once stood at 736 MB: the codegen decoder remembered every
/// whole message to skip replays, the SSE parser buffered whole id/event lines, and the rest was
/// this test's own upstream (see below), not the dashboard.
/// </summary>
[Collection(AttackReplayCollection.Name)]
[Trait("Isolation", "Process")] // it measures the process's managed memory: the test command runs it in a process of its own
public sealed class AttackReplayTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Events = 60;
    private static readonly int LineChars = int.Parse(Environment.GetEnvironmentVariable("ATTACK_LINE_CHARS") ?? "4000000");
    private const long MaxGrowthBytes = 96L * 1024 * 1024;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private const string Hole = "\u00a7hole\u00a7";

    [Fact]
    public async Task Huge_ids_types_and_stage_messages_stay_within_their_budgets()
    {
        // The hostile upstream runs in this process, so its own buffers count in the figure: the
        // huge values are joined with string.Replace and sent as bytes in slices, never built by
        // string interpolation, whose pooled char arrays (8 and 16 MB at full size, one set per
        // thread the upstream ran on) stayed in the shared pool and were most of the growth.
        var big = new string('x', LineChars);
        var bigUtf8 = Encoding.UTF8.GetBytes(big);
        var fake = new FakeCodegenUpstream();
        for (var i = 0; i < Events - 1; i++)
        {
            fake.Script.Add(FakeCodegenUpstream.Event("stage" + i, "processing", i / (double)Events, Hole).Replace(Hole, big, StringComparison.Ordinal));
        }

        fake.Script.Add(FakeCodegenUpstream.Event("iteration_complete", "completed", 1.0, Hole).Replace(Hole, big, StringComparison.Ordinal));
        await using var upstream = await LoopbackUpstream.StartAsync(app =>
        {
            fake.Map(app);
            app.MapGet("/raw", async context =>
            {
                await LoopbackUpstream.BeginStreamAsync(context);
                for (var i = 0; i < Events; i++)
                {
                    await SendAsync(context, Encoding.UTF8.GetBytes("id: " + i));
                    await SendAsync(context, bigUtf8);
                    await SendAsync(context, Encoding.UTF8.GetBytes("\nevent: e" + i));
                    await SendAsync(context, bigUtf8);
                    await SendAsync(context, Encoding.UTF8.GetBytes("\ndata: " + i + "\n\n"));
                }

                await LoopbackUpstream.HoldOpenAsync(context);
            });
        });

        await using var server = new TestApp(new Dictionary<string, string?>
        {
            ["Dashboard:Backends:0:Name"] = "raw",
            ["Dashboard:Backends:0:Kind"] = "sse",
            ["Dashboard:Backends:0:Url"] = upstream.BaseUrl + "raw",
            ["Dashboard:Backends:1:Name"] = "cg",
            ["Dashboard:Backends:1:Kind"] = "codegen",
            ["Dashboard:Backends:1:BaseUrl"] = upstream.BaseUrl.TrimEnd('/'),
            ["Dashboard:Backends:1:Username"] = FakeCodegenUpstream.User,
            ["Dashboard:Backends:1:Password"] = FakeCodegenUpstream.Password,
        })
        {
            Demo = false,
        };
        using var client = server.CreateApiClient();
        var hub = server.Services.GetRequiredService<IEventHub>();
        var before = GC.GetTotalMemory(forceFullCollection: true);

        // Attack 1: the always-on stream delivers its 60 events.
        await WaitUntilAsync(hub, () => hub.State.GetBackend("raw")?.EventsReceived >= Events);
        output.WriteLine($"managed memory growth after the inspector attack: {(GC.GetTotalMemory(forceFullCollection: true) - before) / (1024 * 1024)} MB");

        // Attack 2: a codegen run whose 60 stage messages are a megabyte each.
        using var start = await client.PostAsync("/api/runs", new StringContent("""{"backend":"cg","prompt":"Build a todo API with tags and due dates"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var runId = System.Text.Json.JsonDocument.Parse(await start.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        await WaitUntilAsync(hub, () => hub.State.GetRun(runId)?.Status.IsTerminal() == true);

        var growth = GC.GetTotalMemory(forceFullCollection: true) - before;
        output.WriteLine($"managed memory growth: {growth / (1024 * 1024)} MB");
        Assert.True(growth < MaxGrowthBytes, $"managed memory grew by {growth / (1024 * 1024)} MB");

        var events = await client.GetByteArrayAsync("/api/backends/raw/events?limit=1000");
        output.WriteLine($"GET /api/backends/raw/events: {events.Length} bytes");
        Assert.True(events.Length < 6 * 1024 * 1024, $"GET /api/backends/raw/events returned {events.Length} bytes");
        Assert.Contains("… cut at 1 KB", Encoding.UTF8.GetString(events), StringComparison.Ordinal);

        var run = await client.GetByteArrayAsync($"/api/runs/{runId}");
        output.WriteLine($"GET /api/runs/{{id}}: {run.Length} bytes");
        Assert.True(run.Length < 4 * 1024 * 1024, $"GET /api/runs/{{id}} returned {run.Length} bytes");
        var runJson = Encoding.UTF8.GetString(run);
        Assert.Contains("… cut at 16 KB", runJson, StringComparison.Ordinal);
        using (var doc = System.Text.Json.JsonDocument.Parse(runJson))
        {
            Assert.True(doc.RootElement.GetProperty("valuesCut").GetInt64() >= Events);
        }

        var backends = await client.GetStringAsync("/api/backends");
        Assert.Contains("\"valuesCut\":", backends, StringComparison.Ordinal);

        // The run page, prerendered for a signed-in browser.
        using var handler = new HttpClientHandler { UseCookies = true, AllowAutoRedirect = true };
        using var browser = new HttpClient(handler) { BaseAddress = client.BaseAddress };
        using var signIn = await browser.GetAsync($"/login?t={TestApp.Token}");
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var page = await browser.GetByteArrayAsync($"/runs/{runId}");
        output.WriteLine($"run page prerender: {page.Length} bytes");
        Assert.True(page.Length < 8 * 1024 * 1024, $"the run page's prerender is {page.Length} bytes");
        Assert.Contains(runId, Encoding.UTF8.GetString(page), StringComparison.Ordinal);
    }

    // Slices of 64 KB, each flushed: the upstream's server holds one slice, not a whole line.
    private static async Task SendAsync(HttpContext context, ReadOnlyMemory<byte> bytes)
    {
        for (var start = 0; start < bytes.Length; start += 64 * 1024)
        {
            await context.Response.Body.WriteAsync(bytes.Slice(start, Math.Min(64 * 1024, bytes.Length - start)));
            await context.Response.Body.FlushAsync();
        }
    }

    private static async Task WaitUntilAsync(IEventHub hub, Func<bool> done)
    {
        using var subscription = hub.Subscribe();
        using var cts = new CancellationTokenSource(Patience);
        // Subscribed first, then checked: no change between the check and the wait is missed.
        while (!done())
        {
            await subscription.Events.ReadAsync(cts.Token);
        }
    }
}

/// <summary>Managed memory is measured process-wide: nothing else may run meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AttackReplayCollection
{
    public const string Name = "attack-replay";
}
