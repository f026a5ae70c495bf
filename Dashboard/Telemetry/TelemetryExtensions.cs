using Dashboard.Domain;
using Dashboard.Security;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Dashboard.Telemetry;

/// <summary>
/// The dashboard's own telemetry, exported with the OpenTelemetry SDK: Prometheus text at
/// <c>/metrics</c> (<c>Dashboard:Telemetry:Prometheus</c>) and OTLP metrics and run traces when the
/// standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (protocol, headers: the other
/// <c>OTEL_EXPORTER_OTLP_*</c> settings). With neither, no instrument exists and no event is observed.
/// </summary>
public static class TelemetryExtensions
{
    public const string MetricsPath = "/metrics";

    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static WebApplicationBuilder AddDashboardTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton<CircuitTally>();
        services.TryAddEnumerable(ServiceDescriptor.Scoped<CircuitHandler, CircuitTallyHandler>());

        var options = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        services.AddSingleton(options);
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointKey]);
        if (!options.Prometheus && !otlp)
        {
            return builder;
        }

        services.TryAddSingleton<DashboardMetrics>();
        services.TryAddSingleton<RunMetrics>();
        services.TryAddSingleton<RunTracing>();
        DecorateEventSink(services);

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("dashboard"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(DashboardMetrics.MeterName);
                if (options.Prometheus)
                {
                    // Every scrape sees the counts of that moment (tests and operators alike).
                    metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
                }
            })
            .WithTracing(tracing => tracing.AddSource(RunTracing.SourceName));
        if (otlp)
        {
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// Creates the observed instruments (they exist from start-up, not from the first scrape) and
    /// maps <c>/metrics</c> when Prometheus is on: the token is required unless <c>PrometheusAnonymous</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapDashboardMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        _ = endpoints.ServiceProvider.GetService<DashboardMetrics>();
        var options = endpoints.ServiceProvider.GetRequiredService<TelemetryOptions>();
        if (!options.Prometheus)
        {
            return endpoints;
        }

        var route = endpoints.MapPrometheusScrapingEndpoint(MetricsPath);
        if (options.PrometheusAnonymous)
        {
            route.AllowAnonymous();
        }
        else
        {
            route.RequireAuthorization(DashboardAuth.ApiPolicy);
        }

        return endpoints;
    }

    /// <summary>Wraps whichever sink is registered (the hub, or another decorator), keeping its lifetime.</summary>
    private static void DecorateEventSink(IServiceCollection services)
    {
        var inner = services.LastOrDefault(d => d.ServiceType == typeof(IDomainEventSink))
            ?? throw new InvalidOperationException("AddDashboardTelemetry needs the event hub (AddEventHub) registered first.");
        services.Remove(inner);
        services.Add(ServiceDescriptor.Singleton<IDomainEventSink>(sp => new TelemetryEventSink(
            Resolve(inner, sp),
            sp.GetRequiredService<RunMetrics>(),
            sp.GetRequiredService<RunTracing>())));
    }

    private static IDomainEventSink Resolve(ServiceDescriptor descriptor, IServiceProvider services) =>
        (IDomainEventSink)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));
}
