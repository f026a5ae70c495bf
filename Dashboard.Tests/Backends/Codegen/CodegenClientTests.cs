using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Security;
using Dashboard.Tests.Backends.SeedTestSupport;
using Dashboard.Tests.TestSupport;

namespace Dashboard.Tests.Backends.Codegen;

/// <summary>The codegen client end to end: real Kestrel upstream, real runner, real hub and state.</summary>
public sealed class CodegenClientTests
{
    private static readonly string[] Iteration =
    [
        FakeCodegenUpstream.Event("connected", "processing", 0.0, "Connected to generation stream"),
        FakeCodegenUpstream.Event("iteration_start", "processing", 0.05, "Starting iteration analysis..."),
        FakeCodegenUpstream.Event("code_generation", "processing", 0.4, "Generating", partialOutput: "def a():"),
        FakeCodegenUpstream.Event("validation", "warning", 0.9, "1 lint issue", partialOutput: "def a():\\n    pass"),
        FakeCodegenUpstream.Event("iteration_complete", "completed", 1.0, "Iteration complete: 19 total files"),
    ];

    private static async Task<(LoopbackUpstream Server, SeedBackendHost Host)> StartAsync(FakeCodegenUpstream fake, string? password = null)
    {
        var server = await LoopbackUpstream.StartAsync(fake.Map);
        var host = new SeedBackendHost(new BackendOptions
        {
            Name = "cg", Kind = "codegen", BaseUrl = server.BaseUrl, Username = FakeCodegenUpstream.User,
            Password = password ?? FakeCodegenUpstream.Password, Headers = { ["X-Team"] = "blue" },
        });
        return (server, host);
    }

    [Fact]
    public async Task Generation_logs_in_streams_with_a_token_and_completes()
    {
        var fake = new FakeCodegenUpstream();
        fake.Script.AddRange(Iteration);
        var (server, host) = await StartAsync(fake);
        await using var _ = server;
        await using var __ = host;

        var run = host.NewRun("Build a todo API with users", """{"tech_stack":"fastapi_postgres","constraints":["pagination"]}""");
        var view = await host.RunToEndAsync(run);

        Assert.Equal(RunStatus.Completed, view.Status);
        Assert.Equal(FakeCodegenUpstream.GenerationId, view.UpstreamId);
        Assert.Equal(["connected", "iteration_start", "code_generation", "validation", "iteration_complete"], view.Timeline.Select(t => t.Stage));
        Assert.Equal(StageStatus.Warning, view.Timeline[3].Status);
        Assert.Equal("def a():\n    pass", view.Text.ToString());
        Assert.Equal(["login", "generate", "stream-token", "stream"], fake.Log);
        Assert.Contains("\"prompt\":\"Build a todo API with users\"", fake.LastStartBody);
        Assert.Contains("\"tech_stack\":\"fastapi_postgres\"", fake.LastStartBody);
        Assert.Contains("\"constraints\":[\"pagination\"]", fake.LastStartBody);
        Assert.Contains("\"generation_mode\":\"auto\"", fake.LastStartBody);
        Assert.Contains("\"is_iteration\":false", fake.LastStartBody);
        // The stream token is a secret from now on.
        Assert.DoesNotContain(fake.StreamTokensUsed[0], host.Get<SecretRedactor>().Redact("GET ...?t=" + fake.StreamTokensUsed[0]));
    }

    [Fact]
    public async Task Iteration_posts_to_iterate_with_the_parent_generation()
    {
        var fake = new FakeCodegenUpstream();
        fake.Script.AddRange(Iteration);
        var (server, host) = await StartAsync(fake);
        await using var _ = server;
        await using var __ = host;

        var view = await host.RunToEndAsync(host.NewRun("Add a search endpoint", """{"generation_mode":"classic"}""", parentRunId: "run-0", parentUpstreamId: "gen-parent"));

        Assert.Equal(RunStatus.Completed, view.Status);
        Assert.Contains("iterate", fake.Log);
        Assert.Contains("\"parent_generation_id\":\"gen-parent\"", fake.LastStartBody);
        Assert.Contains("\"modification_prompt\":\"Add a search endpoint\"", fake.LastStartBody);
        Assert.Contains("\"generation_mode\":\"classic\"", fake.LastStartBody);
    }

    [Fact]
    public async Task Expired_access_token_on_generate_logs_in_again()
    {
        var fake = new FakeCodegenUpstream { ExpireTokenOnGenerate = true };
        fake.Script.AddRange(Iteration);
        var (server, host) = await StartAsync(fake);
        await using var _ = server;
        await using var __ = host;

        var view = await host.RunToEndAsync(host.NewRun("Build a todo API with users"));

        Assert.Equal(RunStatus.Completed, view.Status);
        Assert.Equal(["login", "generate 401", "login", "generate", "stream-token", "stream"], fake.Log);
    }

    [Fact]
    public async Task Wrong_password_fails_the_run_with_the_login_error()
    {
        var fake = new FakeCodegenUpstream();
        var (server, host) = await StartAsync(fake, password: "wrong-password");
        await using var _ = server;
        await using var __ = host;

        var view = await host.RunToEndAsync(host.NewRun("Build a todo API with users"));

        Assert.Equal(RunStatus.Failed, view.Status);
        Assert.Equal("HTTP 401: login failed: Incorrect username or password", view.Error);
    }

    [Fact]
    public async Task Validation_422_detail_is_the_run_error()
    {
        var fake = new FakeCodegenUpstream
        {
            Reject422 = """{"detail":[{"type":"string_too_short","loc":["body","prompt"],"msg":"String should have at least 10 characters","input":"short"}]}""",
        };
        var (server, host) = await StartAsync(fake);
        await using var _ = server;
        await using var __ = host;

        var view = await host.RunToEndAsync(host.NewRun("short"));

        Assert.Equal(RunStatus.Failed, view.Status);
        Assert.Equal("HTTP 422: prompt: String should have at least 10 characters", view.Error);
        Assert.Null(view.UpstreamId);
        Assert.DoesNotContain("stream-token", fake.Log);
    }

    [Fact]
    public async Task Drop_mid_stream_resumes_with_a_fresh_token_and_loses_nothing()
    {
        var fake = new FakeCodegenUpstream { DropFirstConnectionAfter = 3 };
        fake.Script.AddRange(Iteration);
        var (server, host) = await StartAsync(fake);
        await using var _ = server;
        await using var __ = host;

        var view = await host.RunToEndAsync(host.NewRun("Build a todo API with users"));

        Assert.Equal(RunStatus.Completed, view.Status);
        // The second connection replays the history; nothing is lost and nothing doubled.
        Assert.Equal(["connected", "iteration_start", "code_generation", "validation", "iteration_complete"], view.Timeline.Select(t => t.Stage));
        Assert.Equal("def a():\n    pass", view.Text.ToString());
        Assert.Equal(2, fake.Log.Count(l => l == "stream"));
        Assert.Equal(2, fake.StreamTokensUsed.Count);
        Assert.NotEqual(fake.StreamTokensUsed[0], fake.StreamTokensUsed[1]);

        // The server really enforces single use: the first token is refused now.
        using var http = new HttpClient();
        using var reuse = await http.GetAsync($"{server.BaseUrl}generations/generate/{FakeCodegenUpstream.GenerationId}/stream?token={fake.StreamTokensUsed[0]}");
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, reuse.StatusCode);
    }

    [Fact]
    public async Task Stream_ending_without_a_final_stage_is_settled_by_the_status_fallback()
    {
        var fake = new FakeCodegenUpstream();
        fake.Script.Add(FakeCodegenUpstream.Event("phased_generation_started", "processing", 0.1, "Phased generation"));
        fake.Script.Add(FakeCodegenUpstream.Event("phased_generation_complete", "completed", 0.95, "All phases done"));
        fake.StatusAnswers.Clear();
        fake.StatusAnswers.AddRange(["processing", "completed"]);
        var (server, host) = await StartAsync(fake);
        await using var _ = server;
        await using var __ = host;
        var client = (Dashboard.Backends.Codegen.CodegenClient)host.Client;
        client.StatusPollDelays = [TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10)];

        var view = await host.RunToEndAsync(host.NewRun("Build a todo API with users"));

        Assert.Equal(RunStatus.Completed, view.Status);
        Assert.Equal(2, fake.Log.Count(l => l == "status"));
        Assert.Equal("status_check", view.Timeline[^1].Stage);
        Assert.Equal(StageStatus.Completed, view.Timeline[^1].Status);
    }

    [Fact]
    public async Task Status_fallback_reports_an_upstream_failure()
    {
        var fake = new FakeCodegenUpstream();
        fake.Script.Add(FakeCodegenUpstream.Event("code_generation", "processing", 0.4, "Generating", partialOutput: "partial"));
        fake.StatusAnswers.Clear();
        fake.StatusAnswers.Add("failed");
        var (server, host) = await StartAsync(fake);
        await using var _ = server;
        await using var __ = host;

        var view = await host.RunToEndAsync(host.NewRun("Build a todo API with users"));

        Assert.Equal(RunStatus.Failed, view.Status);
        Assert.Equal("LLM refused the prompt", view.Error);
        Assert.Equal("partial", view.Text.ToString());
    }

    [Fact]
    public async Task Cancel_posts_to_the_upstream_and_leaves_the_end_to_the_caller()
    {
        var fake = new FakeCodegenUpstream { HoldOpenAfterScript = true };
        fake.Script.Add(FakeCodegenUpstream.Event("connected", "processing", 0.0, "Connected to generation stream"));
        var (server, host) = await StartAsync(fake);
        await using var _ = server;
        await using var __ = host;
        using var cts = new CancellationTokenSource();
        var run = host.NewRun("Build a todo API with users");

        var running = host.Runs.RunAsync(run, cts.Token);
        await fake.StreamOpened.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await host.UpstreamCancel.CancelAsync(run, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(TimeSpan.FromSeconds(10)));
        await fake.CancelReceived.Task.WaitAsync(TimeSpan.FromSeconds(1));
        Assert.Contains($"cancel {FakeCodegenUpstream.GenerationId}", fake.Log);
        Assert.Equal(RunStatus.Running, host.View(run).Status);
    }
}
