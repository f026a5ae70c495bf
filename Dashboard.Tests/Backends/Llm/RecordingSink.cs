using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Tests.Backends.Llm;

/// <summary>Records published events in order and lets a test await one (stands in for the hub).</summary>
internal sealed class RecordingSink : IDomainEventSink
{
    private readonly Lock _gate = new();
    private readonly List<DashboardEvent> _events = [];
    private readonly List<(Func<DashboardEvent, bool> Match, TaskCompletionSource<DashboardEvent> Signal)> _waiters = [];

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

    public long Publish(DashboardEvent e)
    {
        lock (_gate)
        {
            _events.Add(e);
            foreach (var waiter in _waiters.Where(w => w.Match(e)).ToList())
            {
                waiter.Signal.TrySetResult(e);
                _waiters.Remove(waiter);
            }

            return _events.Count;
        }
    }

    public Task<DashboardEvent> WaitForAsync(Func<DashboardEvent, bool> match)
    {
        lock (_gate)
        {
            var seen = _events.FirstOrDefault(match);
            if (seen is not null)
            {
                return Task.FromResult(seen);
            }

            var signal = new TaskCompletionSource<DashboardEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, signal));
            return signal.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }
}
