using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Tests.TestSupport;

/// <summary>Stands in for the event hub: keeps every published event in order and lets a test await one.</summary>
internal sealed class RecordingSink : IDomainEventSink
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly List<DashboardEvent> _events = [];
    private readonly List<(Func<DashboardEvent, bool> Match, TaskCompletionSource<DashboardEvent> Done)> _waiters = [];

    public IReadOnlyList<DashboardEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public IReadOnlyList<T> OfType<T>() where T : DashboardEvent => Events.OfType<T>().ToList();

    /// <summary>The health reports of <paramref name="backend"/>, in order.</summary>
    public List<BackendHealth> Health(string backend) =>
        [.. Events.OfType<BackendHealthChanged>().Where(e => e.Backend == backend).Select(e => e.Health)];

    public long Publish(DashboardEvent e)
    {
        List<TaskCompletionSource<DashboardEvent>> fired = [];
        long sequence;
        lock (_gate)
        {
            _events.Add(e);
            sequence = _events.Count;
            foreach (var waiter in _waiters.Where(w => w.Match(e)).ToList())
            {
                _waiters.Remove(waiter);
                fired.Add(waiter.Done);
            }
        }

        foreach (var done in fired)
        {
            done.TrySetResult(e);
        }

        return sequence;
    }

    /// <summary>The first event (already published or later) that matches, within <paramref name="timeout"/> (10 s unless given).</summary>
    public Task<DashboardEvent> WaitForAsync(Func<DashboardEvent, bool> match, TimeSpan? timeout = null)
    {
        lock (_gate)
        {
            if (_events.FirstOrDefault(match) is { } seen)
            {
                return Task.FromResult(seen);
            }

            var done = new TaskCompletionSource<DashboardEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, done));
            return done.Task.WaitAsync(timeout ?? Patience);
        }
    }

    /// <summary>Completes when a health event of <paramref name="backend"/> matching <paramref name="match"/> is published (or already was).</summary>
    public Task WaitForHealthAsync(string backend, Func<BackendHealth, bool> match) =>
        WaitForAsync(e => e is BackendHealthChanged h && h.Backend == backend && match(h.Health), TimeSpan.FromSeconds(20));
}
