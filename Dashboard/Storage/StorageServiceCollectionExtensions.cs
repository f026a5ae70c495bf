using Dashboard.Configuration;
using Dashboard.Demo;
using Dashboard.Events;
using Dashboard.Security;
using Dashboard.State;
using Dashboard.Storage.Postgres;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Dashboard.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// The history store (Dashboard:Storage), opened when the host starts: the hub takes its
    /// sequence from it and records into it, the projections look up archived runs in it. Call
    /// before the backends are added, so graphs are restored before their streams connect.
    /// </summary>
    public static IServiceCollection AddHistoryStore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SecretRedactor>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DashboardOptions>, StorageOptionsValidator>());
        services.TryAddSingleton(Create);
        services.TryAddSingleton<IEventJournal>(sp => sp.GetRequiredService<IHistoryStore>());
        services.TryAddSingleton<IRunArchive>(sp => sp.GetRequiredService<IHistoryStore>());
        services.TryAddSingleton<IKeptValues>(sp => sp.GetRequiredService<IHistoryStore>());
        services.TryAddSingleton<RunHistory>();
        services.TryAddSingleton<IStageHistory, StoredStageHistory>();
        services.TryAddSingleton<BackendInsights>();
        services.AddHostedService<HistoryStartup>();
        services.AddHostedService<HistoryRetention>();
        return services;
    }

    private static IHistoryStore Create(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<DashboardOptions>>().Value;
        var clock = services.GetRequiredService<TimeProvider>();
        if (string.Equals(options.Storage.Provider, StorageOptions.Memory, StringComparison.OrdinalIgnoreCase))
        {
            return new MemoryHistoryStore(clock, options.Limits.MaxRuns, options.Limits.GraphHistoryPoints);
        }

        if (string.Equals(options.Storage.Provider, StorageOptions.Postgres, StringComparison.OrdinalIgnoreCase))
        {
            var connectionString = services.GetRequiredService<IConfiguration>().GetConnectionString("Dashboard");
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new StoreRefusedException(
                    $"{PostgresHistoryStore.ConnectionKey} is required with Dashboard:Storage:Provider={StorageOptions.Postgres} (for example Host=127.0.0.1;Port=5432;Database=dashboard;Username=dashboard;Password=…).");
            }

            return new PostgresHistoryStore(
                connectionString,
                options.Storage,
                services.GetRequiredService<SecretRedactor>(),
                clock,
                services.GetRequiredService<ILogger<PostgresHistoryStore>>(),
                resume: Resumable,
                ownership: services.GetService<IInFlightOwnership>());
        }

        var path = StoragePaths.Resolve(
            options.Storage.Path,
            DemoMode.IsEnabled(options),
            Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData));
        return new SqliteHistoryStore(
            path,
            options.Storage,
            services.GetRequiredService<SecretRedactor>(),
            clock,
            services.GetRequiredService<ILogger<SqliteHistoryStore>>(),
            resume: Resumable);
    }

    /// <summary>Only a run that reached its upstream can be followed again; the run manager decides the rest (re-attach or interrupted).</summary>
    private static bool Resumable(RunView run) => run.UpstreamId is not null;
}
