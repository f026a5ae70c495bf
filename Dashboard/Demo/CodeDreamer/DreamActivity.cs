namespace Dashboard.Demo.CodeDreamer;

/// <summary>Dreams in flight and the background dream schedule, for <c>/health</c>.</summary>
public sealed class DreamActivity(DemoRuntime runtime)
{
    private static readonly TimeSpan DreamInterval = TimeSpan.FromMinutes(5);

    private readonly DateTimeOffset _started = runtime.Time.GetUtcNow();
    private int _active;

    public int Active => Volatile.Read(ref _active);

    public IDisposable Begin()
    {
        Interlocked.Increment(ref _active);
        return new End(this);
    }

    /// <summary>Seconds until the next scheduled background dream (every five demo minutes).</summary>
    public long NextDreamSeconds()
    {
        var interval = runtime.Scale(DreamInterval);
        if (interval <= TimeSpan.Zero)
        {
            return 0;
        }

        var elapsed = runtime.Time.GetUtcNow() - _started;
        var remaining = interval - TimeSpan.FromTicks(elapsed.Ticks % interval.Ticks);
        return (long)Math.Ceiling(remaining.TotalSeconds);
    }

    private sealed class End(DreamActivity owner) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                Interlocked.Decrement(ref owner._active);
            }
        }
    }
}
