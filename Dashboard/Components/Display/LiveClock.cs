namespace Dashboard.Components.Display;

/// <summary>
/// "Now" for what a live page draws from the clock (a running stage's bar and duration, a run's
/// elapsed time): whole seconds. A streaming run re-renders its page up to 25 times a second; a
/// clock read at full precision would move every bar a little on each of those renders and send
/// them all again, while at one second the diff is empty until the second turns (the page's
/// own once-a-second clock moves it on).
/// </summary>
public static class LiveClock
{
    public static DateTimeOffset Now(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var now = time.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
    }

    /// <summary>Time from <paramref name="start"/> until <paramref name="end"/>, or until now (whole seconds) while open; never negative.</summary>
    public static TimeSpan Since(DateTimeOffset start, DateTimeOffset? end, TimeProvider time)
    {
        var span = (end ?? Now(time)) - start;
        return span < TimeSpan.Zero ? TimeSpan.Zero : span;
    }
}
