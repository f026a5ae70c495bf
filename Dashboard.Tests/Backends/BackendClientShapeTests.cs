using Dashboard.Backends;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Tests.Backends.SeedTestSupport;
using Dashboard.Tests.Runs;
using Dashboard.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Backends;

/// <summary>Every kind's declared capabilities are backed by its client; a run with a known upstream id can be followed again.</summary>
public sealed class BackendClientShapeTests
{
    public static TheoryData<string> Kinds()
    {
        using var services = new ServiceCollection().AddBackendKinds().BuildServiceProvider();
        return [.. services.GetRequiredService<BackendKindRegistry>().Names.Order(StringComparer.Ordinal)];
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Each_kind_client_implements_exactly_what_its_capabilities_say(string kind)
    {
        await using var host = new SeedBackendHost(new BackendOptions
        {
            Name = "b", Kind = kind, BaseUrl = "http://127.0.0.1:9/", Url = "http://127.0.0.1:9/s",
            Username = "u", Password = "pass", ApiKey = "key-1", Model = "m",
        });
        var capabilities = host.Get<BackendKindRegistry>().Find(kind)!.Capabilities;

        Assert.Equal(capabilities.Includes(BackendCapabilities.Runs), host.Client is IRunClient);
        Assert.Equal(capabilities.Includes(BackendCapabilities.AlwaysOnStream), host.Client is IAlwaysOnStream);
        Assert.Equal(capabilities.Includes(BackendCapabilities.Iterations), kind == Dashboard.Backends.Codegen.CodegenKind.Name);
    }

    [Fact]
    public void A_kind_whose_client_lacks_a_declared_capability_is_refused()
    {
        var kind = new TestBackendKind("liar", BackendCapabilities.Runs);
        var options = new BackendOptions { Name = "liar", Kind = "liar" };

        var error = Assert.Throws<InvalidOperationException>(() => new BackendEntry(options, kind, new OptionsOnlyClient(options)));

        Assert.Contains("Runs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jobs_reattach_follows_a_known_job_without_starting_one()
    {
        var starts = 0;
        string? followed = null;
        var server = await LoopbackUpstream.StartAsync(app =>
        {
            app.MapPost("/jobs", () =>
            {
                Interlocked.Increment(ref starts);
                return Results.Text("""{"job_id": "job-new"}""", "application/json");
            });
            app.MapGet("/jobs/{id}/progress", async (HttpContext context, string id) =>
            {
                followed = id;
                LoopbackUpstream.StartEventStream(context);
                await LoopbackUpstream.WriteAsync(context, Fixtures.Text("job-progress.sse"));
            });
        });
        await using var _ = server;
        await using var host = new SeedBackendHost(new BackendOptions { Name = "jobs-1", Kind = "jobs", BaseUrl = server.BaseUrl });
        var created = host.NewRun("nightly export");
        var run = new RunContext(created.RunId, created.Request, null, host.Hub, TimeProvider.System, upstreamId: "job-7");

        await ((IRunReattach)host.Client).ReattachAsync(run, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        var view = host.View(run);
        Assert.Equal(RunStatus.Completed, view.Status);
        Assert.Equal(0, starts);
        Assert.Equal("job-7", followed);
        Assert.Equal(1.0, view.Timeline[^1].Progress);
    }

    private sealed class OptionsOnlyClient(BackendOptions options) : IBackendClient
    {
        public BackendOptions Options { get; } = options;
    }
}
