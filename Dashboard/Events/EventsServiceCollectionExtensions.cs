using Dashboard.Domain;
using Dashboard.Security;
using Dashboard.State;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Dashboard.Events;

public static class EventsServiceCollectionExtensions
{
    /// <summary>One shared state and one hub for the whole app (never per circuit).</summary>
    public static IServiceCollection AddEventHub(this IServiceCollection services)
    {
        services.AddOptions();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DashboardState>();
        services.TryAddSingleton<IDashboardState>(sp => sp.GetRequiredService<DashboardState>());
        services.TryAddSingleton<EventHub>();
        services.TryAddSingleton<IEventHub>(sp => sp.GetRequiredService<EventHub>());
        // The hub puts every event through the redaction boundary before sequencing it.
        services.TryAddSingleton<SecretRedactor>();
        services.TryAddSingleton<IDomainEventSink>(sp => sp.GetRequiredService<EventHub>());
        services.TryAddSingleton<RemainingTimeEstimator>();
        return services;
    }
}
