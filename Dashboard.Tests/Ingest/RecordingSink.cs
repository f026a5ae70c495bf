using System.Collections.Concurrent;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Tests.Ingest;

/// <summary>Stands in for the event hub: keeps what was published, in order.</summary>
internal sealed class RecordingSink : IDomainEventSink
{
    private long _sequence;

    public ConcurrentQueue<DashboardEvent> Events { get; } = new();

    public long Publish(DashboardEvent e)
    {
        Events.Enqueue(e);
        return Interlocked.Increment(ref _sequence);
    }

    public List<BackendHealth> Health(string backend) =>
        [.. Events.OfType<BackendHealthChanged>().Where(e => e.Backend == backend).Select(e => e.Health)];
}
