using Dashboard.Backends;
using Dashboard.Events;
using Dashboard.Security;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Dashboard.Runs;

public static class RunsServiceCollectionExtensions
{
    /// <summary>
    /// The backend catalog and its host (configured backends, always-on streams) and the run
    /// manager. Needs the event hub (<see cref="EventsServiceCollectionExtensions.AddEventHub"/>) and the backend kinds.
    /// </summary>
    public static IServiceCollection AddRuns(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SecretRedactor>();

        services.TryAddSingleton<BackendCatalog>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBackendSource, ConfiguredBackendSource>());
        services.TryAddSingleton<RunManager>();
        services.TryAddSingleton<IRunLauncher>(sp => sp.GetRequiredService<RunManager>());

        // Hosted services stop in reverse order: runs are detached before the backends go down.
        services.AddHostedService<BackendHost>();
        services.AddHostedService<RunShutdownService>();
        services.AddHostedService<RunResumeService>();
        return services;
    }
}
