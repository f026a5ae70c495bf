using Dashboard.Backends.Llm;
using Dashboard.Domain;
using Dashboard.Security;
using Dashboard.Tests.TestSupport;
using Microsoft.AspNetCore.Http;

namespace Dashboard.Tests.Backends.Llm;

/// <summary>What every LLM kind does when the upstream refuses, drops or is cancelled.</summary>
public sealed class LlmClientFailureTests
{
    public static TheoryData<string, string, string> Kinds => new()
    {
        { "openai-chat", "/v1", "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Partial\"}}]}\n\n" },
        { "openai-responses", "/v1", "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"item_id\":\"m\",\"delta\":\"Partial\"}\n\n" },
        { "anthropic", "", "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Partial\"}}\n\n" },
        { "forge", "", "event: response.output_text.delta\ndata: {\"id\":\"r\",\"object\":\"response\",\"output\":[{\"type\":\"message\",\"content\":[{\"type\":\"output_text\",\"text\":\"Partial\"}]}]}\n\n" },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Http_401_fails_with_the_upstream_message_and_never_the_key(string kind, string prefix, string partial)
    {
        _ = partial;
        await using var upstream = await LoopbackUpstream.StartAsync((context, _) => LoopbackUpstream.JsonAsync(context, 401,
            $$$"""{"error":{"message":"Incorrect API key provided: {{{ClientHarness.ApiKey}}}","type":"invalid_request_error","code":"invalid_api_key"}}"""));
        var harness = new ClientHarness(kind, upstream.BaseUrlAt(prefix));

        await harness.RunAsync();

        Assert.Equal(RunStatus.Failed, harness.Ended.Status);
        Assert.Equal($"HTTP 401: Incorrect API key provided: {SecretRedactor.Mask}", harness.Ended.Error);
        Assert.Single(upstream.Requests);
        Assert.DoesNotContain(harness.Sink.Events, e => e.ToString().Contains(ClientHarness.ApiKey, StringComparison.Ordinal));
        var failed = harness.Sink.Events.OfType<RunStageReported>().Last();
        Assert.Equal((LlmStages.Failed, StageStatus.Failed), (failed.Stage, failed.Status));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Http_429_is_retried_a_few_times_then_fails_with_the_upstream_message(string kind, string prefix, string partial)
    {
        _ = partial;
        await using var upstream = await LoopbackUpstream.StartAsync((context, _) => LoopbackUpstream.JsonAsync(context, 429,
            """{"type":"error","error":{"type":"rate_limit_error","message":"Rate limit reached for requests"}}"""));
        var harness = new ClientHarness(kind, upstream.BaseUrlAt(prefix));

        await harness.RunAsync();

        Assert.Equal(RunStatus.Failed, harness.Ended.Status);
        Assert.Equal("HTTP 429: Rate limit reached for requests", harness.Ended.Error);
        Assert.Equal(3, upstream.Requests.Count);
        Assert.Contains(harness.Sink.Events.OfType<RunStageReported>(), s => s.Message == "attempt 3");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Http_500_then_a_stream_completes_on_the_retry(string kind, string prefix, string partial)
    {
        var terminal = kind switch
        {
            "openai-chat" => "data: [DONE]\n\n",
            "openai-responses" => "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"r\",\"status\":\"completed\"}}\n\n",
            "anthropic" => "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
            _ => "event: done\ndata: {}\n\n",
        };
        await using var upstream = await LoopbackUpstream.StartAsync((context, n) => n == 1
            ? LoopbackUpstream.JsonAsync(context, 500, """{"error":{"message":"The server had an error"}}""")
            : LoopbackUpstream.SseAsync(context, partial + terminal));
        var harness = new ClientHarness(kind, upstream.BaseUrlAt(prefix));

        await harness.RunAsync();

        Assert.Equal(RunStatus.Completed, harness.Ended.Status);
        Assert.Equal("Partial", harness.Text);
        Assert.Equal(2, upstream.Requests.Count);
        Assert.Equal(upstream.Requests.First().Body, upstream.Requests.Last().Body);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_drop_mid_stream_fails_keeping_the_text_and_is_not_reposted(string kind, string prefix, string partial)
    {
        var textSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await LoopbackUpstream.StartAsync(async (context, _) =>
        {
            await LoopbackUpstream.SseAsync(context, partial);
            await context.Response.Body.FlushAsync();

            // Drop only once the client holds the text, as a real cut mid-answer would.
            await textSeen.Task.WaitAsync(TimeSpan.FromSeconds(10));
            context.Abort();
        });
        var harness = new ClientHarness(kind, upstream.BaseUrlAt(prefix));

        var running = harness.RunAsync();
        await harness.Sink.WaitForAsync(e => e is RunTextReceived);
        textSeen.SetResult();
        await running;

        Assert.Equal(RunStatus.Failed, harness.Ended.Status);
        Assert.Equal(LlmBackendClient.ConnectionLost, harness.Ended.Error);
        Assert.Equal("Partial", harness.Text);
        Assert.Single(upstream.Requests);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_trickle_of_bytes_that_never_completes_an_event_fails_the_run_as_stalled(string kind, string prefix, string partial)
    {
        var stall = TimeSpan.FromSeconds(45);
        var textSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var trickled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await LoopbackUpstream.StartAsync(async (context, _) =>
        {
            await LoopbackUpstream.SseAsync(context, partial);
            await context.Response.Body.FlushAsync();
            await textSeen.Task.WaitAsync(TimeSpan.FromSeconds(10));

            // Bytes keep coming, an event never completes.
            await LoopbackUpstream.WriteAsync(context, "data: {");
            trickled.SetResult();
            await LoopbackUpstream.HoldOpenAsync(context);
        });
        var harness = new ClientHarness(kind, upstream.BaseUrlAt(prefix), configure: o => o.StallTimeout = stall);

        var running = harness.Client.RunAsync(harness.Run, CancellationToken.None);
        await harness.Sink.WaitForAsync(e => e is RunTextReceived);
        textSeen.SetResult();
        await trickled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await harness.Clock.DriveAsync(running, TimeSpan.FromSeconds(20));

        await running;
        Assert.Equal(RunStatus.Failed, harness.Ended.Status);
        Assert.Equal("stalled: no complete event for 45 s", harness.Ended.Error);
        Assert.Single(upstream.Requests);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Cancel_aborts_the_request_and_leaves_the_end_to_the_caller(string kind, string prefix, string partial)
    {
        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await LoopbackUpstream.StartAsync(async (context, _) =>
        {
            await LoopbackUpstream.SseAsync(context, partial);
            await context.Response.Body.FlushAsync();
            await using var registration = context.RequestAborted.Register(() => disconnected.TrySetResult());
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        });
        var harness = new ClientHarness(kind, upstream.BaseUrlAt(prefix));
        using var cancel = new CancellationTokenSource();

        var running = harness.RunAsync(cancel.Token);
        await harness.Sink.WaitForAsync(e => e is RunTextReceived);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        await disconnected.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(harness.Sink.Events.OfType<RunEnded>());
        var last = harness.Sink.Events.OfType<RunStageReported>().Last();
        Assert.Equal((LlmStages.Streaming, StageStatus.Cancelled), (last.Stage, last.Status));
        Assert.Equal("Partial", harness.Text);
    }
}
