using System.Text.Json;
using Dashboard.Domain;
using Dashboard.Tests.Backends.Llm;

namespace Dashboard.Tests.Backends.Anthropic;

public sealed class AnthropicClientTests
{
    [Fact]
    public async Task Posts_to_v1_messages_with_x_api_key_version_and_max_tokens()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((context, _) => LoopbackUpstream.FixtureAsync(context, "anthropic-messages.sse"));
        var harness = new ClientHarness("anthropic", upstream.BaseUrl("/proxy"), "Plan the change");

        await harness.RunAsync();

        var request = Assert.Single(upstream.Requests);
        Assert.Equal("/proxy/v1/messages", request.PathAndQuery);
        Assert.Equal(ClientHarness.ApiKey, request.Headers["x-api-key"]);
        Assert.Equal("2023-06-01", request.Headers["anthropic-version"]);
        Assert.False(request.Headers.ContainsKey("Authorization"));
        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        Assert.Equal("test-model", root.GetProperty("model").GetString());
        Assert.Equal(1024, root.GetProperty("max_tokens").GetInt32());
        Assert.Equal("Plan the change", root.GetProperty("messages")[0].GetProperty("content").GetString());
        Assert.True(root.GetProperty("stream").GetBoolean());

        Assert.Equal(RunStatus.Completed, harness.Ended.Status);
        Assert.Equal(new Usage(25, 15, 40), harness.Sink.Events.OfType<RunUsageReported>().Last().Usage);
    }

    [Fact]
    public async Task A_mid_stream_error_event_fails_the_run_with_its_message_keeping_text()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((context, _) => LoopbackUpstream.FixtureAsync(context, "anthropic-error.sse"));
        var harness = new ClientHarness("anthropic", upstream.BaseUrl(""), configure: o => o.Headers["anthropic-version"] = "2024-01-01");

        await harness.RunAsync();

        Assert.Equal("2024-01-01", Assert.Single(upstream.Requests).Headers["anthropic-version"]);
        Assert.Equal((RunStatus.Failed, "Overloaded"), (harness.Ended.Status, harness.Ended.Error));
        Assert.Equal("Partial", harness.Text);
    }
}
