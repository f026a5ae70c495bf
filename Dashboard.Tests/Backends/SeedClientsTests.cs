using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Tests.Backends.SeedTestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Dashboard.Tests.Backends;

/// <summary>jobs, plain-chat and testgen end to end against real loopback upstreams that replay the fixtures.</summary>
public sealed class SeedClientsTests
{
    private static async Task<(LoopbackUpstream, SeedBackendHost)> StartAsync(string kind, Action<WebApplication> map)
    {
        var server = await LoopbackUpstream.StartAsync(map);
        return (server, new SeedBackendHost(new BackendOptions { Name = kind + "-1", Kind = kind, BaseUrl = server.BaseUrl }));
    }

    private static async Task ReplayAsync(HttpContext context, string fixture)
    {
        LoopbackUpstream.StartEventStream(context);
        await LoopbackUpstream.SendAsync(context, SeedFixtures.Text(fixture));
    }

    [Fact]
    public async Task Jobs_start_a_job_and_follow_its_progress()
    {
        string? progressPath = null;
        var (server, host) = await StartAsync("jobs", app =>
        {
            app.MapPost("/jobs", () => Results.Text("""{"job_id": "job-42"}""", "application/json"));
            app.MapGet("/jobs/{id}/progress", context =>
            {
                progressPath = context.Request.Path;
                return ReplayAsync(context, "job-progress.sse");
            });
        });
        await using var _ = server;
        await using var __ = host;

        var view = await host.RunToEndAsync(host.NewRun("nightly export"));

        Assert.Equal(RunStatus.Completed, view.Status);
        Assert.Equal("job-42", view.UpstreamId);
        Assert.Equal("/jobs/job-42/progress", progressPath);
        Assert.Equal([0.0, 0.01, 0.02, 0.5, 0.99, 1.0], view.Timeline.Select(t => t.Progress!.Value));
    }

    [Fact]
    public async Task Jobs_unknown_job_fails_with_the_upstream_message()
    {
        var (server, host) = await StartAsync("jobs", app =>
        {
            app.MapPost("/jobs", () => Results.Text("""{"job_id": "gone"}""", "application/json"));
            app.MapGet("/jobs/{id}/progress", context => ReplayAsync(context, "job-not-found.sse"));
        });
        await using var _ = server;
        await using var __ = host;

        var view = await host.RunToEndAsync(host.NewRun("x"));

        Assert.Equal(RunStatus.Failed, view.Status);
        Assert.Equal("Job not found", view.Error);
    }

    [Fact]
    public async Task Jobs_refused_start_fails_with_the_http_error()
    {
        var (server, host) = await StartAsync("jobs", app =>
            app.MapPost("/jobs", () => Results.Text("""{"detail": "queue is full"}""", "application/json", statusCode: 503)));
        await using var _ = server;
        await using var __ = host;

        var view = await host.RunToEndAsync(host.NewRun("x"));

        Assert.Equal(RunStatus.Failed, view.Status);
        Assert.Equal("HTTP 503: queue is full", view.Error);
    }

    [Fact]
    public async Task Plain_chat_streams_content_with_start_and_done_stages()
    {
        string? prompt = null;
        var (server, host) = await StartAsync("plain-chat", app => app.MapGet("/chat", context =>
        {
            prompt = context.Request.Query["prompt"];
            return ReplayAsync(context, "simple-content.sse");
        }));
        await using var _ = server;
        await using var __ = host;

        var view = await host.RunToEndAsync(host.NewRun("hello & good night?"));

        Assert.Equal(RunStatus.Completed, view.Status);
        Assert.Equal("hello & good night?", prompt);
        Assert.Equal("This is a mock response to: hello ", view.Text.ToString());
        Assert.Equal(["start", "done"], view.Timeline.Select(t => t.Stage));
    }

    [Fact]
    public async Task Plain_chat_error_event_fails_keeping_the_text()
    {
        var (server, host) = await StartAsync("plain-chat", app => app.MapGet("/chat", context => ReplayAsync(context, "simple-error.sse")));
        await using var _ = server;
        await using var __ = host;

        var view = await host.RunToEndAsync(host.NewRun("hi"));

        Assert.Equal(RunStatus.Failed, view.Status);
        Assert.Equal("rate limited", view.Error);
        Assert.Equal("Hel", view.Text.ToString());
    }

    [Fact]
    public async Task Plain_chat_stream_ending_without_DONE_fails_and_is_not_requested_again()
    {
        var requests = 0;
        var (server, host) = await StartAsync("plain-chat", app => app.MapGet("/chat", async context =>
        {
            Interlocked.Increment(ref requests);
            LoopbackUpstream.StartEventStream(context);
            await LoopbackUpstream.SendAsync(context, "data: {\"content\": \"Half an ans\"}\n\n");
        }));
        await using var _ = server;
        await using var __ = host;

        var view = await host.RunToEndAsync(host.NewRun("hi"));

        Assert.Equal(RunStatus.Failed, view.Status);
        Assert.StartsWith("stream ended without a terminal event", view.Error);
        Assert.Equal("Half an ans", view.Text.ToString());
        Assert.Equal(1, requests);
    }

    [Fact]
    public async Task Testgen_posts_the_code_and_reports_metadata()
    {
        string? body = null;
        var (server, host) = await StartAsync("testgen", app => app.MapPost("/generate_tests", async context =>
        {
            body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            await ReplayAsync(context, "testgen-stream.sse");
        }));
        await using var _ = server;
        await using var __ = host;

        var view = await host.RunToEndAsync(host.NewRun("def calculate_sum(a, b):\n    return a + b", """{"test_type": "integration"}"""));

        Assert.Equal(RunStatus.Completed, view.Status);
        Assert.Equal("import pytest\n\ndef test_calculate_sum():\n    assert calculate_sum(2, 3) == 5\n", view.Text.ToString());
        Assert.Equal("test_example.py", view.Metadata["test_file_name"]);
        Assert.Equal("python", view.Metadata["language"]);
        Assert.Equal("4", view.Metadata["lines"]);
        Assert.Equal(["start", "done"], view.Timeline.Select(t => t.Stage));
        using var sent = System.Text.Json.JsonDocument.Parse(body!);
        Assert.Equal("def calculate_sum(a, b):\n    return a + b", sent.RootElement.GetProperty("code_snippet").GetString());
        Assert.Equal("integration", sent.RootElement.GetProperty("test_type").GetString());
        Assert.True(sent.RootElement.GetProperty("stream").GetBoolean());
    }

    [Fact]
    public async Task Testgen_error_event_fails_the_run()
    {
        var (server, host) = await StartAsync("testgen", app => app.MapPost("/generate_tests", async context =>
        {
            LoopbackUpstream.StartEventStream(context);
            await LoopbackUpstream.SendAsync(context, "data: {\"type\": \"start\"}\n\ndata: {\"type\": \"error\", \"error\": \"No API key configured\"}\n\n");
        }));
        await using var _ = server;
        await using var __ = host;

        var view = await host.RunToEndAsync(host.NewRun("def f(): pass"));

        Assert.Equal(RunStatus.Failed, view.Status);
        Assert.Equal("No API key configured", view.Error);
    }
}
