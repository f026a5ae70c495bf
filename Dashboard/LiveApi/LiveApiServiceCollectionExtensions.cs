using Dashboard.Events;
using Dashboard.Security;
using Dashboard.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
        services.AddSignalR().AddMessagePackProtocol();
        return services;
    }

    /// <summary>GET /api/events and the hub at /hubs/events, both behind the API's bearer token.</summary>
    public static IEndpointRouteBuilder MapLiveApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup(DashboardAuth.ApiPath).MapGet("/events", EventsEndpoint.HandleAsync).RequireDashboardApi();
        endpoints.MapHub<LiveEventsHub>(DashboardAuth.EventsHubPath, o => o.AllowStatefulReconnects = true)
            .RequireAuthorization(DashboardAuth.ApiPolicy);
        return endpoints;
    }
}
