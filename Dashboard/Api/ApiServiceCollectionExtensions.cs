using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dashboard.Api;

public static class ApiServiceCollectionExtensions
{
    /// <summary>JSON API conventions: camelCase names (web defaults) and enums as lower-case strings ("running").</summary>
    public static IServiceCollection AddDashboardApi(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
        return services;
    }
}
