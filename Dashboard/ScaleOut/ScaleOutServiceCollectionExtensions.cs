using Dashboard.Backends;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Dashboard.ScaleOut;

public static class ScaleOutServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <c>Dashboard:ScaleOut</c> when the host starts; with
    /// <c>Dashboard:ScaleOut:Redis</c> set, adds the coordination through Redis (leases on every
    /// always-on stream and run). Without it nothing here runs: one process needs no coordination.
    /// </summary>
    public static IServiceCollection AddScaleOut(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ScaleOutOptions>()
            .Bind(configuration.GetSection(ScaleOutOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ScaleOutOptions>, ScaleOutOptionsValidator>());
        if (string.IsNullOrWhiteSpace(configuration[$"{ScaleOutOptions.SectionName}:{nameof(ScaleOutOptions.Redis)}"]))
        {
            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RedisCoordinator>();
        services.TryAddSingleton<RedisLeases>();
        services.TryAddSingleton<IFollowLeases>(sp => sp.GetRequiredService<RedisLeases>());
        services.TryAddSingleton<Dashboard.Storage.IInFlightOwnership, RedisInFlightOwnership>();
        // Every replica's hub gets every event, numbered once for the cluster.
        services.TryAddSingleton<RedisEventStream>();
        services.AddHostedService(sp => sp.GetRequiredService<RedisEventStream>());
        // Runs across replicas: cancel from anywhere, take over runs whose follower is gone.
        services.TryAddSingleton<Dashboard.Runs.IRunCancelRelay, RedisCancelRelay>();
        // A browser moved to another replica stays signed in; a sign-out holds on every replica.
        services.TryAddSingleton<Dashboard.Security.ISharedSignInSessions, RedisSignInSessions>();
        services.AddHostedService<RunTakeover>();
        RedisHealthCheck.Register(services);
        return services;
    }
}
