using System.Net;
using System.Net.Sockets;
using Dashboard.Hosting;
using Dashboard.Tests.TestSupport;

namespace Dashboard.Tests.Hosting;

/// <summary>
/// The real process, started as an operator starts it (the built dll, Production, no launch
/// profile): refused starts print one problem per line and exit 1; SIGTERM stops it cleanly.
/// </summary>
public sealed class ProcessLifecycleTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_bad_configuration_prints_each_problem_on_its_own_line_naming_its_key_and_exits_1()
    {
        using var app = AppProcess.Start("Production",
        [
            "--urls", "http://127.0.0.1:0",
            "--Dashboard:Backends:0:Kind=nope",
            "--Dashboard:Limits:MaxRuns=0",
            "--Dashboard:PathBase=dashboard",
            "--Dashboard:PublicUrl=ftp://example.com",
            "--Dashboard:ForwardedHeaders:KnownProxies:0=not-an-ip",
        ]);

        Assert.Equal(StartupRefusal.ExitCode, await app.WaitForExitAsync(Patience));

        var transcript = app.Transcript();
        // The heading, then exactly these problems, one per line (their order is not a contract).
        Assert.Equal(StartupRefusal.Heading, app.Err[0]);
        Assert.Equal(
        [
            "Dashboard:Backends:0:Kind \"nope\" is unknown; known kinds: anthropic, codedreamer, codegen, dashboard, forge, jobs, openai-chat, openai-responses, plain-chat, sse, testgen.",
            "Dashboard:Backends:0:Name is required.",
            "Dashboard:ForwardedHeaders:KnownProxies:0 must be an IP address such as 10.0.0.5 (is \"not-an-ip\").",
            "Dashboard:Limits:MaxRuns must be positive (is 0).",
            "Dashboard:PathBase must be a path such as /dashboard (is \"dashboard\").",
            "Dashboard:PublicUrl must be an absolute http or https URL such as https://example.com/dashboard (is \"ftp://example.com\").",
        ], app.Err.Skip(1).Order(StringComparer.Ordinal));
        AssertNoStackTrace(app);
        Assert.DoesNotContain("Unhandled exception", transcript, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_in_use_is_one_line_naming_the_address_and_exit_code_1()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        using var app = AppProcess.Start("Production", ["--urls", $"http://127.0.0.1:{port}"]);

        Assert.Equal(StartupRefusal.ExitCode, await app.WaitForExitAsync(Patience));
        Assert.Equal(2, app.Err.Count);
        Assert.Equal(StartupRefusal.Heading, app.Err[0]);
        Assert.StartsWith($"urls: Failed to bind to address http://127.0.0.1:{port}: address already in use", app.Err[1], StringComparison.Ordinal);
        AssertNoStackTrace(app);
    }

    [Fact]
    public async Task A_part_that_refuses_the_start_is_printed_the_same_way()
    {
        // Sign-in refuses Unsecured mode on a public address with a StartupRefusedException.
        using var app = AppProcess.Start("Production", ["--urls", "http://0.0.0.0:0", "--Dashboard:Auth:Mode=Unsecured"]);

        Assert.Equal(StartupRefusal.ExitCode, await app.WaitForExitAsync(Patience));
        Assert.Equal(2, app.Err.Count);
        Assert.StartsWith("Dashboard:Auth:Mode=Unsecured is allowed only when every listening address is loopback", app.Err[1], StringComparison.Ordinal);
        AssertNoStackTrace(app);
    }

    [Fact]
    public async Task SIGTERM_closes_the_upstream_streams_and_exits_0()
    {
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await LoopbackUpstream.StartAsync(async (context, _) =>
        {
            await LoopbackUpstream.BeginStreamAsync(context);
            await LoopbackUpstream.WriteAsync(context, "data: hello\n\n");
            connected.TrySetResult();
            await LoopbackUpstream.HoldOpenAsync(context);
            closed.TrySetResult();
        });
        using var app = AppProcess.Start("Production",
        [
            "--urls", "http://127.0.0.1:0",
            "--Dashboard:Backends:0:Name=raw",
            "--Dashboard:Backends:0:Kind=sse",
            $"--Dashboard:Backends:0:Url={upstream.BaseUrl}stream",
        ]);
        await app.SignInLinkAsync();
        await connected.Task.WaitAsync(Patience);

        app.SendSigterm();

        // Exit 0 within the host's shutdown timeout (30 s by default; the bound here is only a test guard).
        Assert.Equal(0, await app.WaitForExitAsync(Patience));
        await closed.Task.WaitAsync(Patience);
        Assert.Contains(app.Out, line => line.Contains("Application is shutting down", StringComparison.Ordinal));
        Assert.Empty(app.Err);
        AssertNoStackTrace(app);
    }

    [Fact]
    public async Task A_fresh_home_without_a_local_share_folder_gets_the_history_file_there()
    {
        // A new service account: HOME exists and is empty (no ~/.local/share yet), the default store
        // (SQLite) and no path set. (The tests' own environment asks for the memory store.)
        var home = Directory.CreateTempSubdirectory("dashboard-home-");
        try
        {
            using var app = AppProcess.Start("Production",
                ["--urls", "http://127.0.0.1:0", "--Dashboard:Demo:Enabled=false", "--Dashboard:Storage:Provider=sqlite"],
                new Dictionary<string, string> { ["HOME"] = home.FullName, ["XDG_DATA_HOME"] = "" });
            await app.SignInLinkAsync();

            Assert.True(File.Exists(Path.Combine(home.FullName, ".local", "share", "Dashboard", "dashboard.db")), string.Join(Environment.NewLine, app.Out.Concat(app.Err)));
            app.SendSigterm();
            Assert.Equal(0, await app.WaitForExitAsync(Patience));
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }

    private static void AssertNoStackTrace(AppProcess app) =>
        Assert.DoesNotContain(app.Out.Concat(app.Err), line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
}
