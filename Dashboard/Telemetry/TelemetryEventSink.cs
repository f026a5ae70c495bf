using Dashboard.Domain;

namespace Dashboard.Telemetry;

/// <summary>
/// Sits in front of the event sink every producer publishes to: counts ended runs and keeps the
/// run spans, then hands the event on unchanged. Cheap and non-blocking (no I/O, short locks).
/// </summary>
internal sealed class TelemetryEventSink(IDomainEventSink inner, RunMetrics metrics, RunTracing tracing) : IDomainEventSink
{
    public long Publish(DashboardEvent e)
    {
        var sequence = inner.Publish(e);
        if (e is RunEvent)
        {
            tracing.Observe(e);
            if (e is RunEnded ended)
            {
                metrics.RunEnded(ended);
            }
        }

        return sequence;
    }
}
