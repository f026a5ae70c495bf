using Dashboard.Configuration;
using Dashboard.Demo;
using Dashboard.Events;
using Dashboard.Security;
using Dashboard.State;
using Dashboard.Storage.Postgres;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
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
        services.AddHealthChecks().AddCheck<PostgresHealthCheck>(PostgresHealthCheck.Name, tags: [Dashboard.Hosting.HealthEndpoints.ReadyTag]);
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(o => ShareKeys(sp, o)));
        services.AddSingleton<IConfigureOptions<DataProtectionOptions>>(sp => new ConfigureOptions<DataProtectionOptions>(o =>
        {
            if (IsPostgres(sp))
            {
                // One name for every replica: by default it is the content root, which differs between installs.
                o.ApplicationDiscriminator = "Dashboard";
            }
        }));
        return services;
    }

    /// <summary>
    /// With the PostgreSQL store the Data Protection keys (which protect the sign-in cookie) live
    /// in its database, so every replica reads the same key ring and a browser moved to another
    /// replica stays signed in. SQLite and memory keep ASP.NET Core's per-machine default.
    /// </summary>
    private static void ShareKeys(IServiceProvider services, KeyManagementOptions options)
    {
        if (IsPostgres(services))
        {
            options.XmlRepository = new PostgresXmlRepository(() => ((PostgresHistoryStore)services.GetRequiredService<IHistoryStore>()).DataSource);
        }
    }

    private static bool IsPostgres(IServiceProvider services) =>
        string.Equals(services.GetRequiredService<IOptions<DashboardOptions>>().Value.Storage.Provider, StorageOptions.Postgres, StringComparison.OrdinalIgnoreCase);

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
            // DoNotVerify: without it the folder must already exist (an empty string otherwise), and a
            // fresh service account's HOME has no ~/.local/share yet; the store creates the folder.
            Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify));
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
