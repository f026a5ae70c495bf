using System.Diagnostics.Metrics;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Ingest.Monitoring;

namespace Dashboard.Telemetry;

/// <summary>
/// The dashboard's own instruments (names and tags are a contract, listed in the README). Most
/// are observed from counters the parts already keep, so ingest and the hub pay nothing per event;
/// <c>dashboard.runs</c> is counted as runs end (<see cref="RunMetrics"/>).
/// </summary>
public sealed class DashboardMetrics
{
    public const string MeterName = "Dashboard";

    private static readonly BackendState[] States = Enum.GetValues<BackendState>();

    public DashboardMetrics(IMeterFactory meters, BackendMonitors monitors, EventHub hub, CircuitTally circuits, IEnumerable<IStoreLag> stores)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        var lags = stores.ToArray();

        meter.CreateObservableCounter("dashboard.ingest.events", () => PerBackend(monitors, h => h.EventsReceived), "{event}", "SSE items received from upstreams.");
        meter.CreateObservableCounter("dashboard.ingest.decode_errors", () => PerBackend(monitors, h => h.DecodeErrors), "{event}", "SSE items a decoder could not read.");
        meter.CreateObservableCounter("dashboard.ingest.reconnects", () => PerBackend(monitors, h => h.Reconnects), "{reconnect}", "Reconnections of upstream streams.");
        meter.CreateObservableGauge("dashboard.backend.state", () => BackendStates(monitors), "{state}", "1 for each backend's current connection state, 0 for the others.");
        meter.CreateObservableCounter("dashboard.hub.published", () => hub.LastSequence, "{event}", "Domain events published on the event hub.");
        meter.CreateObservableCounter("dashboard.hub.dropped", () => hub.DroppedNotifications, "{event}", "Notifications merged away because a subscriber's queue was full (state keeps every event).");
        meter.CreateObservableGauge("dashboard.store.lag", () => lags.Sum(l => l.EventsBehind), "{event}", "Events published but not yet written by the history store.");
        meter.CreateObservableGauge("dashboard.circuits", () => circuits.Open, "{circuit}", "Open Blazor circuits.");
    }

    private static IEnumerable<Measurement<long>> PerBackend(BackendMonitors monitors, Func<BackendHealth, long> value) =>
        monitors.Snapshot().Select(h => new Measurement<long>(value(h), new KeyValuePair<string, object?>("backend", h.Name)));

    private static IEnumerable<Measurement<int>> BackendStates(BackendMonitors monitors) =>
        monitors.Snapshot().SelectMany(h => States.Select(state => new Measurement<int>(
            h.State == state ? 1 : 0,
            new KeyValuePair<string, object?>("backend", h.Name),
            new KeyValuePair<string, object?>("state", state.ToString().ToLowerInvariant()))));
}

/// <summary><c>dashboard.runs</c>: apart from <see cref="DashboardMetrics"/> because the event sink needs it before the backend monitors exist.</summary>
public sealed class RunMetrics(IMeterFactory meters)
{
    private readonly Counter<long> _runs = meters.Create(DashboardMetrics.MeterName)
        .CreateCounter<long>("dashboard.runs", "{run}", "Runs that ended, by backend and final status.");

    internal void RunEnded(RunEnded ended) =>
        _runs.Add(1, new KeyValuePair<string, object?>("backend", ended.Backend), new KeyValuePair<string, object?>("status", ended.Status.ToString().ToLowerInvariant()));
}
