using System.Net;
using System.Text;
using System.Text.Json;
using Dashboard.Demo;

namespace Dashboard.Tests.Demo;

public sealed class OpenAiDemoTests
{
    private const string Path = "demo/openai/v1/chat/completions";
    private const string Body = """{"model":"demo-gpt","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Design a URL shortener"}],"stream":true,"stream_options":{"include_usage":true}}""";

    [Theory]
    [InlineData(null)]
    [InlineData("sk-wrong")]
    public async Task A_missing_or_wrong_key_is_401_with_an_openai_error(string? key)
    {
        await using var host = await DemoHost.StartAsync();

        using var response = await host.Client.SendAsync(DemoHost.PostJson(Path, Body, key));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var error = (await DemoTestClient.JsonAsync(response)).GetProperty("error");
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
        Assert.Equal(["message", "type", "param", "code"], error.EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("""{"model":"demo-gpt","messages":[{"role":"user","content":"hi"}]}""", "stream")]
    [InlineData("""{"model":"demo-gpt","messages":[],"stream":true}""", "messages")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}],"stream":true}""", "model")]
    [InlineData("""{"model":""", null)]
    public async Task Bad_requests_are_400(string body, string? param)
    {
        await using var host = await DemoHost.StartAsync();

        using var response = await host.Client.SendAsync(DemoHost.PostJson(Path, body, host.Service<DemoCredentials>().ApiKey));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await DemoTestClient.JsonAsync(response)).GetProperty("error");
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task The_answer_is_markdown_reflecting_the_prompt_and_usage_counts_it()
    {
        await using var host = await DemoHost.StartAsync(outcome: "complete");

        var (text, events) = await StreamAsync(host, Body);

        Assert.Contains("Design a URL shortener", text, StringComparison.Ordinal);
        Assert.StartsWith("## ", text, StringComparison.Ordinal);
        Assert.Contains("\n- ", text, StringComparison.Ordinal);
        Assert.Contains("| File | Change | Lines |", text, StringComparison.Ordinal);
        Assert.Contains("```", text, StringComparison.Ordinal);
        Assert.Equal("stop", JsonDocument.Parse(events[^3]).RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        var usage = JsonDocument.Parse(events[^2]).RootElement.GetProperty("usage");
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32() + usage.GetProperty("completion_tokens").GetInt32(), usage.GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task Without_include_usage_there_is_no_usage_key_and_no_usage_chunk()
    {
        await using var host = await DemoHost.StartAsync(outcome: "complete");

        var (_, events) = await StreamAsync(host, """{"model":"demo-gpt","messages":[{"role":"user","content":"Say hi"}],"stream":true}""");

        Assert.DoesNotContain(events, e => e.Contains("\"usage\"", StringComparison.Ordinal));
        Assert.Equal("[DONE]", events[^1]);
    }

    [Fact]
    public async Task Outcome_fail_sends_a_mid_stream_error_and_no_done()
    {
        await using var host = await DemoHost.StartAsync(outcome: "fail");

        var (text, events) = await StreamAsync(host, Body);

        Assert.NotEmpty(text);
        Assert.StartsWith("{\"error\":{\"message\":", events[^1], StringComparison.Ordinal);
        Assert.DoesNotContain("[DONE]", events);
    }

    [Fact]
    public async Task Outcome_drop_cuts_the_connection_mid_answer()
    {
        // The demo stalls 2 s (scaled) before the cut: at 1/10 of real time that leaves the reader
        // 200 ms to take what was sent, which a reset would otherwise discard on a busy machine.
        await using var host = await DemoHost.StartAsync(outcome: "drop", timeScale: 0.1);
        var received = new List<string>();

        var cut = await Record.ExceptionAsync(async () =>
        {
            await foreach (var data in host.ReadEventsAsync(DemoHost.PostJson(Path, Body, host.Service<DemoCredentials>().ApiKey)))
            {
                received.Add(data);
            }
        });

        Assert.True(cut is IOException || cut?.InnerException is IOException, $"expected a cut connection, got {cut}");
        Assert.True(received.Count > 1);
        Assert.DoesNotContain("[DONE]", received);
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_text()
    {
        async Task<string> TextAsync(int seed)
        {
            await using var host = await DemoHost.StartAsync(seed: seed, outcome: "complete");
            return (await StreamAsync(host, Body)).Text;
        }

        var first = await TextAsync(3);
        Assert.Equal(first, await TextAsync(3));
        Assert.NotEqual(first, await TextAsync(4));
    }

    private static async Task<(string Text, List<string> Events)> StreamAsync(DemoHost host, string body)
    {
        var events = new List<string>();
        var text = new StringBuilder();
        await foreach (var data in host.ReadEventsAsync(DemoHost.PostJson(Path, body, host.Service<DemoCredentials>().ApiKey)))
        {
            events.Add(data);
            if (data != "[DONE]" && JsonDocument.Parse(data).RootElement.TryGetProperty("choices", out var choices)
                && choices.GetArrayLength() > 0 && choices[0].GetProperty("delta").TryGetProperty("content", out var content))
            {
                text.Append(content.GetString());
            }
        }

        return (text.ToString(), events);
    }
}
