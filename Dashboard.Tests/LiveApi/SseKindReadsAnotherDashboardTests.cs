using System.Net.Http.Json;
using System.Text.Json;
using Dashboard.Domain;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.LiveApi;

/// <summary>Two real apps on loopback: this dashboard's own raw <c>sse</c> kind reads another dashboard's /api/events.</summary>
public sealed class SseKindReadsAnotherDashboardTests(LiveApiFixture child) : IClassFixture<LiveApiFixture>
{
    [Fact]
    public async Task The_sse_kind_reads_every_event_of_another_dashboard_none_over_its_event_limit()
    {
        var start = child.Replay.LastSequence;
        await using var parent = new TestApp(new Dictionary<string, string?>
        {
            ["Dashboard:Backends:0:Name"] = "child",
            ["Dashboard:Backends:0:Kind"] = "sse",
            ["Dashboard:Backends:0:Url"] = new Uri(child.BaseUri, $"api/events?backend=mirrored&from={start}").ToString(),
            ["Dashboard:Backends:0:Headers:Authorization"] = "Bearer " + TestApp.Token,
        })
        {
            Demo = false,
        };
        using var http = LiveClients.Http(LiveClients.BaseUri(parent));

        // A text far over the sse kind's 4 MB event limit if it travelled in one message.
        var at = DateTimeOffset.UtcNow;
        var text = new string('q', 3_000_000);
        child.Sink.Publish(new RunCreated { Backend = "mirrored", At = at, RunId = "m1", Prompt = "p" });
        child.Sink.Publish(new RunTextReceived { Backend = "mirrored", At = at, RunId = "m1", Text = text });
        child.Sink.Publish(new RunEnded { Backend = "mirrored", At = at, RunId = "m1", Status = RunStatus.Completed });

        JsonElement[] events = [];
        using var patience = new CancellationTokenSource(LiveClients.Patience);
        while (!events.Any(e => e.GetProperty("type").GetString() == "run.ended"))
        {
            await Task.Delay(100, patience.Token); // polling the inspector until the end arrives (bounded by patience)
            events = await http.GetFromJsonAsync<JsonElement[]>("api/backends/child/events?limit=1000", patience.Token) ?? [];
        }

        var types = events.Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal(1, types.Count(t => t == "run.created"));
        Assert.Equal((text.Length + Dashboard.LiveApi.LiveEventMapper.MaxChunkChars - 1) / Dashboard.LiveApi.LiveEventMapper.MaxChunkChars, types.Count(t => t == "run.text"));
        var backend = (await http.GetFromJsonAsync<JsonElement[]>("api/backends"))!.Single(b => b.GetProperty("name").GetString() == "child");
        Assert.Equal(0, backend.GetProperty("oversizedDropped").GetInt64());
        Assert.Equal("connected", backend.GetProperty("state").GetString());
    }
}
