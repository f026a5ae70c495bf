using Dashboard.Backends;
using Dashboard.Hub;
using Dashboard.Ingest;
using Dashboard.Security;
using Dashboard.State;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Dashboard.Runs;

public static class RunsServiceCollectionExtensions
{
    /// <summary>
    /// The backend catalog and its host (configured backends, always-on streams) and the run
    /// manager. Needs the event hub (<see cref="IEventHub"/>) and the backend kinds.
    /// </summary>
    public static IServiceCollection AddRuns(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SecretRedactor>();
        services.TryAddSingleton<IDomainEventSink>(sp => sp.GetRequiredService<IEventHub>());
        services.TryAddSingleton<IDashboardState>(sp => sp.GetRequiredService<IEventHub>().State);

        services.TryAddSingleton<BackendCatalog>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBackendSource, ConfiguredBackendSource>());
        services.TryAddSingleton<RunManager>();
        services.TryAddSingleton<IRunLauncher>(sp => sp.GetRequiredService<RunManager>());

        // Hosted services stop in reverse order: runs are cancelled before the backends go down.
        services.AddHostedService<BackendHost>();
        services.AddHostedService<RunShutdownService>();
        return services;
    }
}
