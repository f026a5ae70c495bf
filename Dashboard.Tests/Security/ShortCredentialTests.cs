using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Tests.Backends.SeedTestSupport;
using Dashboard.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Dashboard.Tests.Security;

/// <summary>
/// A credential under 4 characters could not be masked without garbling every text it occurs in,
/// so none is ever used: configured ones stop start-up, upstream-issued ones fail the run.
/// </summary>
public sealed class ShortCredentialTests
{
    [Fact]
    public void Configured_credentials_and_header_values_under_4_characters_stop_start_up_naming_each_key()
    {
        var error = FailedStart.Of(
            () => new TestApp(new Dictionary<string, string?>
            {
                ["Dashboard:Backends:0:Name"] = "cg",
                ["Dashboard:Backends:0:Kind"] = "codegen",
                ["Dashboard:Backends:0:BaseUrl"] = "http://127.0.0.1:9/api",
                ["Dashboard:Backends:0:Username"] = "alice",
                ["Dashboard:Backends:0:Password"] = "pw1",
                ["Dashboard:Backends:0:Headers:X-Org"] = "ab",
                ["Dashboard:Backends:1:Name"] = "gpt",
                ["Dashboard:Backends:1:Kind"] = "openai-chat",
                ["Dashboard:Backends:1:BaseUrl"] = "http://127.0.0.1:9/v1",
                ["Dashboard:Backends:1:ApiKey"] = "k",
                ["Dashboard:Backends:1:Model"] = "m",
            })
            { Demo = false, Kestrel = false },
            factory => factory.CreateClient());

        var message = error.ToString();
        Assert.Contains("Dashboard:Backends:0:Password must be at least 4 characters (it has 3)", message, StringComparison.Ordinal);
        Assert.Contains("Dashboard:Backends:0:Headers:X-Org must be at least 4 characters (it has 2)", message, StringComparison.Ordinal);
        Assert.Contains("Dashboard:Backends:1:ApiKey must be at least 4 characters (it has 1)", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Credentials_of_4_characters_are_accepted_and_masked()
    {
        using var server = new TestApp(new Dictionary<string, string?>
        {
            ["Dashboard:Backends:0:Name"] = "gpt",
            ["Dashboard:Backends:0:Kind"] = "openai-chat",
            ["Dashboard:Backends:0:BaseUrl"] = "http://127.0.0.1:9/v1",
            ["Dashboard:Backends:0:ApiKey"] = "k4y!",
            ["Dashboard:Backends:0:Model"] = "m",
        })
        { Demo = false, Kestrel = false };

        var redactor = (Dashboard.Security.SecretRedactor)server.Services.GetService(typeof(Dashboard.Security.SecretRedactor))!;
        Assert.Equal("key *** here", redactor.Redact("key k4y! here"));
    }

    [Fact]
    public async Task An_upstream_issued_access_token_under_4_characters_fails_the_run_and_is_never_used()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((context, _) => context.Request.Path == "/api/auth/login"
            ? LoopbackUpstream.JsonAsync(context, 200, """{"access_token":"ab","token_type":"bearer"}""")
            : LoopbackUpstream.JsonAsync(context, 500, """{"detail":"not expected"}"""));
        await using var host = new SeedBackendHost(new BackendOptions
        {
            Name = "cg", Kind = "codegen", BaseUrl = upstream.BaseUrlAt("api"), Username = "alice", Password = "correct-horse",
        });

        var view = await host.RunToEndAsync(host.NewRun("Build it"));

        Assert.Equal(RunStatus.Failed, view.Status);
        Assert.Contains("access_token is shorter than 4 characters", view.Error, StringComparison.Ordinal);
        Assert.Equal(["/api/auth/login"], upstream.Requests.Select(r => r.PathAndQuery));
    }
}
