using System.Text.Json;
using Dashboard.Domain;
using Dashboard.Tests.Backends.Llm;

namespace Dashboard.Tests.Backends.OpenAiChat;

public sealed class OpenAiChatClientTests
{
    [Fact]
    public async Task Posts_a_streaming_chat_request_under_the_base_url_and_completes_from_the_fixture()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((context, _) => LoopbackUpstream.FixtureAsync(context, "openai-chat.sse"));
        var options = new Dictionary<string, JsonElement> { ["temperature"] = JsonDocument.Parse("0.5").RootElement, ["max_tokens"] = JsonDocument.Parse("\"300\"").RootElement };
        var harness = new ClientHarness("openai-chat", upstream.BaseUrl("/gateway/v1"), "Plan the change", options,
            o => o.Headers["OpenAI-Organization"] = "org-test");

        await harness.RunAsync();

        var request = Assert.Single(upstream.Requests);
        Assert.Equal(("POST", "/gateway/v1/chat/completions"), (request.Method, request.PathAndQuery));
        Assert.Equal($"Bearer {ClientHarness.ApiKey}", request.Headers["Authorization"]);
        Assert.Equal("org-test", request.Headers["OpenAI-Organization"]);
        Assert.Contains("text/event-stream", request.Headers["Accept"], StringComparison.Ordinal);
        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        Assert.Equal("test-model", root.GetProperty("model").GetString());
        Assert.Equal("user", root.GetProperty("messages")[0].GetProperty("role").GetString());
        Assert.Equal("Plan the change", root.GetProperty("messages")[0].GetProperty("content").GetString());
        Assert.True(root.GetProperty("stream").GetBoolean());
        Assert.True(root.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.Equal(0.5, root.GetProperty("temperature").GetDouble());
        Assert.Equal(300, root.GetProperty("max_tokens").GetInt32());

        Assert.Equal(RunStatus.Completed, harness.Ended.Status);
        Assert.StartsWith("Here is a plan:\n\n1. **Add** the `schemas` folder", harness.Text, StringComparison.Ordinal);
        Assert.Equal(new Usage(31, 14, 45), harness.Sink.Events.OfType<RunUsageReported>().Single().Usage);
    }
}
