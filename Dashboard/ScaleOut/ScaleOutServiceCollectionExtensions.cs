using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Dashboard.ScaleOut;

public static class ScaleOutServiceCollectionExtensions
{
    /// <summary>Binds and validates <c>Dashboard:ScaleOut</c> when the host starts.</summary>
    public static IServiceCollection AddScaleOut(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ScaleOutOptions>()
            .Bind(configuration.GetSection(ScaleOutOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ScaleOutOptions>, ScaleOutOptionsValidator>());
        return services;
    }
}
