namespace Dashboard.Components.Controls;

/// <summary>
/// One poll per kind of status for the whole process. Every open page shows the same status (the
/// history writer's, the scale-out coordination's), so a page of its own reading it every couple
/// of seconds made each open page a timer: N pages, N wake-ups per period, for a value that almost
/// never changes. Here one timer reads each status while any page watches it, and a page is woken
/// only when the value it was last given differs.
/// </summary>
public sealed class StatusPolls(TimeProvider time) : IDisposable
{
    /// <summary>How often a watched status is read again.</summary>
    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private readonly Dictionary<Type, Poll> _polls = [];

    /// <summary>
    /// Watches the status <paramref name="read"/> gives (one reader per status type: the first
    /// watcher's is the one read). <paramref name="changed"/> is called on a timer thread with the new
    /// value when it differs from <paramref name="initial"/> or from the last value it was given.
    /// </summary>
    public IDisposable Watch<TStatus>(Func<TStatus?> read, TStatus? initial, Action<TStatus?> changed)
        where TStatus : class
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(changed);
        lock (_gate)
        {
            if (!_polls.TryGetValue(typeof(TStatus), out var poll))
            {
                poll = new Poll(read, time, Refresh);
                _polls[typeof(TStatus)] = poll;
            }

            return poll.Add(initial, value => changed((TStatus?)value), _gate);
        }
    }

    /// <summary>Pages watching (tests).</summary>
    public int Watchers
    {
        get
        {
            lock (_gate)
            {
                return _polls.Values.Sum(p => p.Count);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var poll in _polls.Values)
            {
                poll.Stop();
            }

            _polls.Clear();
        }
    }

    private sealed class Poll(Func<object?> read, TimeProvider time, TimeSpan period)
    {
        private readonly List<Watcher> _watchers = [];
        private ITimer? _timer;

        public int Count => _watchers.Count;

        // Called under the polls' lock.
        public IDisposable Add(object? initial, Action<object?> changed, Lock gate)
        {
            var watcher = new Watcher(initial, changed);
            _watchers.Add(watcher);
            // Runs only while someone watches: a process with no page open polls nothing.
            _timer ??= time.CreateTimer(_ => Tick(gate), null, period, period);
            return new Unwatch(() =>
            {
                lock (gate)
                {
                    _watchers.Remove(watcher);
                    if (_watchers.Count == 0)
                    {
                        Stop();
                    }
                }
            });
        }

        public void Stop()
        {
            _timer?.Dispose();
            _timer = null;
        }

        private void Tick(Lock gate)
        {
            var value = read();
            List<Watcher> stale;
            lock (gate)
            {
                stale = _watchers.FindAll(w => !Equals(w.Last, value));
                foreach (var watcher in stale)
                {
                    watcher.Last = value;
                }
            }

            // Outside the lock: a page's callback only schedules its render.
            foreach (var watcher in stale)
            {
                watcher.Changed(value);
            }
        }
    }

    private sealed class Watcher(object? last, Action<object?> changed)
    {
        public object? Last { get; set; } = last;

        public Action<object?> Changed { get; } = changed;
    }

    private sealed class Unwatch(Action undo) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                undo();
            }
        }
    }
}
