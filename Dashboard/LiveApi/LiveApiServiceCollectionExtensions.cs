using Dashboard.Events;
using Dashboard.Security;
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
        services.TryAddSingleton<IEventReplay>(sp => sp.GetRequiredService<InMemoryEventReplay>());
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
