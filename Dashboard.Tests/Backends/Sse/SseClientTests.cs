using Dashboard.Configuration;
using Dashboard.Ingest;
using Dashboard.Tests.Backends.SeedTestSupport;
using Dashboard.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;

namespace Dashboard.Tests.Backends.Sse;

public sealed class SseClientTests
{
    [Fact]
    public async Task Raw_stream_posts_the_body_with_headers_and_reaches_the_inspector_only()
    {
        var request = new TaskCompletionSource<(string Method, string Body, string Header, string? ContentType)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LoopbackUpstream.StartAsync(app => app.MapPost("/feed", async context =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            request.TrySetResult((context.Request.Method, body, context.Request.Headers["X-Api-Key"].ToString(), context.Request.ContentType));
            LoopbackUpstream.StartEventStream(context);
            await LoopbackUpstream.WriteAsync(context, "event: tick\ndata: {\"n\": 1}\n\ndata: plain text\n\n");
            await LoopbackUpstream.HoldOpenAsync(context);
        }));
        await using var host = new SeedBackendHost(new BackendOptions
        {
            Name = "raw", Kind = "sse", Url = server.BaseUrl + "feed", Method = "POST", Body = """{"topics": ["a"]}""",
            Headers = { ["X-Api-Key"] = "raw-secret-key" },
        });
        using var cts = new CancellationTokenSource();

        var alwaysOn = host.AlwaysOn.RunAlwaysOnAsync(cts.Token);
        var seen = await request.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var log = host.Get<IRawEventLog>();
        using var subscription = host.Hub.Subscribe();
        while (log.Recent("raw", 10).Count < 2)
        {
            await SeedBackendHost.NextAsync<Dashboard.Domain.BackendHealthChanged>(subscription);
        }

        Assert.Equal(("POST", """{"topics": ["a"]}""", "raw-secret-key"), (seen.Method, seen.Body, seen.Header));
        Assert.StartsWith("application/json", seen.ContentType);
        Assert.Equal(["tick", "message"], log.Recent("raw", 10).Select(r => r.Type));
        Assert.Empty(host.Hub.State.Runs);
        Assert.Null(host.Hub.State.GetGraph("raw"));

        await cts.CancelAsync();
        await alwaysOn.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
