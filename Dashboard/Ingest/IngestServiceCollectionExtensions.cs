using Dashboard.Configuration;
using Dashboard.Ingest.Monitoring;
using Dashboard.Ingest.Sse;
using Dashboard.Ingest.Streaming;
using Dashboard.Security;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Dashboard.Ingest;

public static class IngestServiceCollectionExtensions
{
    /// <summary>
    /// The ingest engine: backend monitors (also the raw event inspector), the stream runner, parser
    /// limits from <c>Dashboard:Limits</c>. Needs an <see cref="IDomainEventSink"/> (the event hub).
    /// </summary>
    public static IServiceCollection AddIngest(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddHttpClient();
        services.ConfigureHttpClientDefaults(http => http.ConfigurePrimaryHttpMessageHandler((handler, _) => SseRequestHeaders.Configure(handler)));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SecretRedactor>();
        services.TryAddSingleton<IngestTimings>();
        services.TryAddSingleton(sp => SseParserLimits.From(sp.GetRequiredService<IOptions<DashboardOptions>>().Value.Limits));
        services.TryAddSingleton<BackendMonitors>();
        services.TryAddSingleton<IRawEventLog>(sp => sp.GetRequiredService<BackendMonitors>());
        services.TryAddSingleton<SseStreamRunner>();
        services.TryAddSingleton<ISseStreamRunner>(sp => sp.GetRequiredService<SseStreamRunner>());
        return services;
    }
}
