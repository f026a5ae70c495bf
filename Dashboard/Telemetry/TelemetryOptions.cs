namespace Dashboard.Telemetry;

/// <summary><c>Dashboard:Telemetry</c>: the dashboard's own metrics. OTLP follows the standard <c>OTEL_EXPORTER_OTLP_*</c> settings.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Dashboard:Telemetry";

    /// <summary>Serve Prometheus text at <c>/metrics</c>.</summary>
    public bool Prometheus { get; set; }

    /// <summary>Serve <c>/metrics</c> without the token (a scraper on a trusted network).</summary>
    public bool PrometheusAnonymous { get; set; }
}
