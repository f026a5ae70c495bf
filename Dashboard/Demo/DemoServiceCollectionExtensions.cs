using Dashboard.Backends;
using Dashboard.Configuration;
using Dashboard.Demo.CodeDreamer;
using Dashboard.Demo.Codegen;
using Dashboard.Security;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Dashboard.Demo;

public static class DemoServiceCollectionExtensions
{
    /// <summary>
    /// Registers the embedded demo upstreams and <see cref="DemoBackendSource"/> when
    /// <see cref="DemoMode.IsEnabled"/> says so (then <see cref="DemoEndpoints.MapDemo"/> maps them).
    /// Throws on an invalid <c>Dashboard:Demo</c> section, naming the key to fix.
    /// </summary>
    public static IServiceCollection AddDemo(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddDemoOptionsValidation();
        var options = configuration.GetSection(DashboardOptions.SectionName).Get<DashboardOptions>() ?? new DashboardOptions();
        if (!DemoMode.IsEnabled(options))
        {
            return services;
        }

        DemoRuntime.Validate(options.Demo);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SecretRedactor>();
        services.AddSingleton(sp => new DemoRuntime(
            options.Demo,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None));
        services.AddSingleton<DemoCredentials>();
        services.AddSingleton<IBackendSource, DemoBackendSource>();
        services.AddSingleton<DemoGraph>();
        services.AddSingleton<DreamActivity>();
        services.AddSingleton<CodegenStore>();
        return services;
    }
}
