using System.Collections.Concurrent;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Tests.Ingest;

/// <summary>Stands in for the event hub: keeps what was published, in order.</summary>
internal sealed class RecordingSink : IDomainEventSink
{
    private readonly Lock _gate = new();
    private readonly List<(Func<DashboardEvent, bool> Match, TaskCompletionSource Signal)> _waiters = [];
    private long _sequence;

    public ConcurrentQueue<DashboardEvent> Events { get; } = new();

    public long Publish(DashboardEvent e)
    {
        Events.Enqueue(e);
        lock (_gate)
        {
            foreach (var waiter in _waiters.Where(w => w.Match(e)))
            {
                waiter.Signal.TrySetResult();
            }
        }

        return Interlocked.Increment(ref _sequence);
    }

    /// <summary>Completes when a health event of <paramref name="backend"/> matching <paramref name="match"/> is published (or already was).</summary>
    public Task WaitForHealthAsync(string backend, Func<BackendHealth, bool> match)
    {
        bool Matches(DashboardEvent e) => e is BackendHealthChanged h && h.Backend == backend && match(h.Health);
        lock (_gate)
        {
            if (Events.Any(Matches))
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((Matches, signal));
            return signal.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }
    }

    public List<BackendHealth> Health(string backend) =>
        [.. Events.OfType<BackendHealthChanged>().Where(e => e.Backend == backend).Select(e => e.Health)];
}
