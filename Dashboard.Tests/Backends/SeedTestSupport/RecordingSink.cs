using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Tests.Backends.SeedTestSupport;

/// <summary>Keeps every published event in order and lets a test await one.</summary>
internal sealed class RecordingSink : IDomainEventSink
{
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

    public long Publish(DashboardEvent e)
    {
        List<TaskCompletionSource<DashboardEvent>> fired = [];
        long seq;
        lock (_gate)
        {
            _events.Add(e);
            seq = _events.Count;
            foreach (var w in _waiters.Where(w => w.Match(e)).ToList())
            {
                _waiters.Remove(w);
                fired.Add(w.Done);
            }
        }

        foreach (var done in fired)
        {
            done.TrySetResult(e);
        }

        return seq;
    }

    /// <summary>The first event (already published or later) that matches.</summary>
    public Task<T> WaitForAsync<T>(Func<T, bool>? match = null, TimeSpan? timeout = null) where T : DashboardEvent
    {
        bool Matches(DashboardEvent e) => e is T t && (match is null || match(t));
        var done = new TaskCompletionSource<DashboardEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_events.FirstOrDefault(Matches) is { } existing)
            {
                return Task.FromResult((T)existing);
            }

            _waiters.Add((Matches, done));
        }

        return Wait();

        async Task<T> Wait() => (T)await done.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(10));
    }
}
