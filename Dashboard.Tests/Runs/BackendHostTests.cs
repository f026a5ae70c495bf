using System.Net;
using Dashboard.Domain;
using Dashboard.Backends;
using Dashboard.Configuration;
using Dashboard.Events;
using Dashboard.Ingest;
using Dashboard.Ingest.Monitoring;
using Dashboard.Runs;
using Dashboard.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Runs;

public sealed class BackendHostTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Backends_of_every_source_come_up_once_the_server_listens_and_stop_with_it()
    {
        var streamStopped = new TaskCompletionSource();
        var streamStarted = new TaskCompletionSource();
        var stream = new TestBackendKind("stream", BackendCapabilities.AlwaysOnStream)
        {
            AlwaysOn = async ct =>
            {
                streamStarted.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                finally
                {
                    streamStopped.TrySetResult();
                }
            },
        };
        var crashing = new TestBackendKind("crashing", BackendCapabilities.AlwaysOnStream)
        {
            AlwaysOn = _ => throw new InvalidOperationException("upstream said no"),
        };
        var picky = new TestBackendKind("picky")
        {
            OptionsValidation = (o, prefix) => o.BaseUrl is null ? [$"{prefix}:BaseUrl is required."] : [],
        };
        var demo = new DemoSource(
        [
            new BackendOptions { Name = "demo-runs", Kind = "picky", BaseUrl = "set-below", IsDemo = true },
            new BackendOptions { Name = "demo-bad", Kind = "picky", IsDemo = true },
            new BackendOptions { Name = "demo-unknown", Kind = "nope", IsDemo = true },
            new BackendOptions { Name = "Configured", Kind = "picky", BaseUrl = "http://x", IsDemo = true },
            new BackendOptions { Name = "demo-crash", Kind = "crashing", IsDemo = true },
        ]);
        await using var app = await LoopbackUpstream.StartAsync(
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Dashboard:Backends:0:Name"] = "configured",
                    ["Dashboard:Backends:0:Kind"] = "stream",
                });
                builder.Services.AddSingleton<IBackendKind>(stream).AddSingleton<IBackendKind>(crashing).AddSingleton<IBackendKind>(picky)
                    .AddSingleton<BackendKindRegistry>()
                    .AddDashboardConfiguration(builder.Configuration)
                    .AddEventHub()
                    .AddRuns()
                    .AddSingleton<IBackendSource>(demo)
                    .AddSingleton<IngestTimings>()
                    .AddSingleton<BackendMonitors>();
            },
            _ => { });
        var catalog = app.Services.GetRequiredService<BackendCatalog>();
        await catalog.Ready.WaitAsync(Patience);

        var port = app.Root.Port;
        Assert.Equal(new Uri($"http://127.0.0.1:{port}/"), demo.SelfBaseUrl);
        Assert.Equal(["configured", "demo-runs", "demo-crash"], catalog.All.Select(e => e.Name));
        Assert.True(catalog.Find("DEMO-RUNS")!.IsDemo);
        Assert.Null(catalog.Find("demo-bad"));
        var health = app.Services.GetRequiredService<IDashboardState>().GetBackend("demo-runs");
        Assert.Equal(("picky", true), (health?.Kind, health?.IsDemo));
        await streamStarted.Task.WaitAsync(Patience);
        Assert.Equal(["demo-runs"], app.Services.GetRequiredService<IRunLauncher>().RunBackends.Select(b => b.Name));

        await app.StopAsync();

        await streamStopped.Task.WaitAsync(Patience);
    }

    private sealed class DemoSource(IReadOnlyList<BackendOptions> backends) : IBackendSource
    {
        public Uri? SelfBaseUrl { get; private set; }

        public IReadOnlyList<BackendOptions> GetBackends(Uri selfBaseUrl)
        {
            SelfBaseUrl = selfBaseUrl;
            return backends;
        }
    }
}
