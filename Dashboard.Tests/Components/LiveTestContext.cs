using Dashboard.Configuration;
using Bunit;
using Dashboard.Components;
using Dashboard.Components.Controls;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Markdown;
using Dashboard.Storage;
using Microsoft.Extensions.DependencyInjection;
using Dashboard.Tests.Ingest;

namespace Dashboard.Tests.Components;

/// <summary>
/// bUnit context with the real event hub and projections, a fake clock, MudBlazor, and renders
/// without throttling (the throttle has its own tests), so a published event shows at once.
/// </summary>
public abstract class LiveTestContext : BunitContext, IAsyncLifetime
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    protected LiveTestContext()
    {
        Time = new SignalingTimeProvider(T0);
        Services.AddSingleton<TimeProvider>(Time);
        Services.AddEventHub();

        // Pages list ended runs from the history store; here the memory one (no file).
        Services.Configure<Dashboard.Configuration.DashboardOptions>(o => o.Storage.Provider = Dashboard.Configuration.StorageOptions.Memory);
        Services.AddHistoryStore();
        Services.AddSingleton(new MarkdownHtml());
        Services.Configure<LiveRenderOptions>(o => o.MinInterval = TimeSpan.Zero);
        Services.AddDashboardComponents();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    protected SignalingTimeProvider Time { get; }

    protected IEventHub Hub => Services.GetRequiredService<IEventHub>();

    protected void Publish(params DashboardEvent[] events)
    {
        foreach (var e in events)
        {
            Hub.Publish(e);
        }
    }

    protected DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    public Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor registers services that only dispose asynchronously.
    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();
}
