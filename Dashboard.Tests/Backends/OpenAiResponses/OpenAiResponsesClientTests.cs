using System.Text.Json;
using Dashboard.Domain;
using Dashboard.Tests.Backends.Llm;

namespace Dashboard.Tests.Backends.OpenAiResponses;

public sealed class OpenAiResponsesClientTests
{
    [Fact]
    public async Task Posts_input_to_responses_and_completes_from_the_fixture()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((context, _) => LoopbackUpstream.FixtureAsync(context, "openai-responses.sse"));
        var harness = new ClientHarness("openai-responses", upstream.BaseUrl("/v1"), "Plan the change");

        await harness.RunAsync();

        var request = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/responses", request.PathAndQuery);
        Assert.Equal($"Bearer {ClientHarness.ApiKey}", request.Headers["Authorization"]);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("test-model", body.RootElement.GetProperty("model").GetString());
        Assert.Equal("Plan the change", body.RootElement.GetProperty("input").GetString());
        Assert.True(body.RootElement.GetProperty("stream").GetBoolean());

        Assert.Equal(RunStatus.Completed, harness.Ended.Status);
        Assert.EndsWith("```python\ndef add(a, b):\n    return a + b\n```\n", harness.Text, StringComparison.Ordinal);
        Assert.Equal(new Usage(31, 14, 45), harness.Sink.Events.OfType<RunUsageReported>().Single().Usage);
    }
}
