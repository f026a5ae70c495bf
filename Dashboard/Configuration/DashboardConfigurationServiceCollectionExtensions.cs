using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Dashboard.Configuration;

public static class DashboardConfigurationServiceCollectionExtensions
{
    /// <summary>
    /// Binds section <c>Dashboard</c> (appsettings, environment <c>Dashboard__Backends__0__Kind</c>, …)
    /// and validates it when the host starts: a bad configuration stops start-up with every problem listed.
    /// </summary>
    public static IServiceCollection AddDashboardConfiguration(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DashboardOptions>()
            .Bind(configuration.GetSection(DashboardOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DashboardOptions>, DashboardOptionsValidator>());
        return services;
    }
}
