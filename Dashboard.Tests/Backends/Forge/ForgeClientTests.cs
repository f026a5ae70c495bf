using System.Text.Json;
using Dashboard.Domain;
using Dashboard.Tests.Backends.Llm;

namespace Dashboard.Tests.Backends.Forge;

public sealed class ForgeClientTests
{
    [Fact]
    public async Task Posts_to_v1_responses_and_replaces_text_from_snapshots()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((context, _) => LoopbackUpstream.FixtureAsync(context, "forge-responses-snapshot.sse"));
        var harness = new ClientHarness("forge", upstream.BaseUrl("/kf"), "Plan the change");

        await harness.RunAsync();

        var request = Assert.Single(upstream.Requests);
        Assert.Equal("/kf/v1/responses", request.PathAndQuery);
        Assert.Equal($"Bearer {ClientHarness.ApiKey}", request.Headers["Authorization"]);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("Plan the change", body.RootElement.GetProperty("input").GetString());
        Assert.True(body.RootElement.GetProperty("stream").GetBoolean());

        Assert.Equal(RunStatus.Completed, harness.Ended.Status);
        Assert.Equal("Here is a plan:\n\n1. **Add**", harness.Text);
        Assert.Equal(new Usage(120, 9, 129), harness.Sink.Events.OfType<RunUsageReported>().Single().Usage);
    }

    [Fact]
    public async Task Without_key_or_model_neither_is_sent()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((context, _) => LoopbackUpstream.FixtureAsync(context, "forge-responses-snapshot.sse"));
        var harness = new ClientHarness("forge", upstream.BaseUrl(""), configure: o => (o.ApiKey, o.Model) = (null, null));

        await harness.RunAsync();

        var request = Assert.Single(upstream.Requests);
        Assert.False(request.Headers.ContainsKey("Authorization"));
        using var body = JsonDocument.Parse(request.Body);
        Assert.False(body.RootElement.TryGetProperty("model", out _));
        Assert.Equal(RunStatus.Completed, harness.Ended.Status);
    }
}
