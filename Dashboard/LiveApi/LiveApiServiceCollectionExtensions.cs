using Dashboard.Events;
using Dashboard.Security;
using Dashboard.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Dashboard.LiveApi;

public static class LiveApiServiceCollectionExtensions
{
    /// <summary>The replay log (recording every hub event from the start), the feed and the hub's protocols.</summary>
    public static IServiceCollection AddLiveApi(this IServiceCollection services)
    {
        services.AddOptions<LiveApiOptions>().BindConfiguration(LiveApiOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<LiveApiOptions>>().Value;
            return new InMemoryEventReplay(Math.Max(1, options.ReplayMaxEvents), Math.Max(1, options.ReplayMaxBytes));
        });
        // A durable store serves resumes across restarts and slow clients past the ring; with the
        // memory provider the ring alone is the log (nothing survives a restart anyway).
        services.TryAddSingleton<IEventReplay>(sp => sp.GetService<IHistoryStore>() is { IsDurable: true } store
            ? new StoredEventReplay(sp.GetRequiredService<InMemoryEventReplay>(), store, sp.GetRequiredService<TimeProvider>())
            : sp.GetRequiredService<InMemoryEventReplay>());
        services.TryAddSingleton<IEventRecorder>(sp => sp.GetRequiredService<InMemoryEventReplay>());
        services.TryAddSingleton<LiveEventFeed>();
        // This hub's own options only: the Blazor circuit's hub keeps its settings.
        services.AddSignalR().AddMessagePackProtocol().AddHubOptions<LiveEventsHub>(_ => { });
        services.AddOptions<HubOptions<LiveEventsHub>>().Configure<IOptions<LiveApiOptions>>((hub, live) =>
            hub.StatefulReconnectBufferSize = Math.Max(64 * 1024, live.Value.StatefulReconnectBufferBytes));
        return services;
    }

    /// <summary>GET /api/events and the hub at /hubs/events, both behind the API's bearer token.</summary>
    public static IEndpointRouteBuilder MapLiveApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup(DashboardAuth.ApiPath).MapGet("/events", EventsEndpoint.HandleAsync).RequireDashboardApi();
        // MapHub with one connection middleware in front of the hub (see SerializedFlushes).
        endpoints.MapConnections(DashboardAuth.EventsHubPath, new HttpConnectionDispatcherOptions { AllowStatefulReconnects = true }, connection => connection
                .UseSerializedFlushes()
                .UseHub<LiveEventsHub>())
            .WithMetadata(new HubMetadata(typeof(LiveEventsHub)))
            .RequireAuthorization(DashboardAuth.ApiPolicy);
        return endpoints;
    }
}
