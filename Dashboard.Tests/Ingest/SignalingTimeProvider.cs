using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Dashboard.Tests.Ingest;

/// <summary>
/// A fake clock that also reports every timer created with a finite due time (Task.Delay,
/// WaitAsync timeouts), so a test can see exactly which wait the code planned and then advance
/// past it — no real waiting, no guessing.
/// </summary>
public sealed class SignalingTimeProvider : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public SignalingTimeProvider()
        : this(new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero))
    {
    }

    public SignalingTimeProvider(DateTimeOffset start)
        : base(start)
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _timers.Writer.TryWrite(dueTime);
        }

        return timer;
    }

    /// <summary>Waits for the next timer with a finite due time and returns that due time.</summary>
    public async Task<TimeSpan> NextTimerAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (await _timers.Reader.WaitToReadAsync(cts.Token))
        {
            if (_timers.Reader.TryRead(out var due))
            {
                return due;
            }
        }

        throw new InvalidOperationException("timer channel closed");
    }

    /// <summary>Waits for the next timer whose due time <paramref name="match"/> accepts (others are passed over) and returns its due time.</summary>
    public async Task<TimeSpan> NextTimerAsync(Func<TimeSpan, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        TimeSpan due;
        do
        {
            due = await NextTimerAsync(timeout).WaitAsync(cts.Token);
        }
        while (!match(due));

        return due;
    }

    /// <summary>Forgets the timers created so far: the next wait sees only timers created after this call.</summary>
    public void ForgetTimers()
    {
        while (_timers.Reader.TryRead(out _))
        {
        }
    }

    /// <summary>
    /// Lets <paramref name="run"/> finish, advancing the clock past every timer it creates meanwhile;
    /// returns the due times in order (the delays the code under test planned).
    /// </summary>
    public async Task<List<TimeSpan>> DriveAsync(Task run, TimeSpan timeout)
    {
        var planned = new List<TimeSpan>();
        using var cts = new CancellationTokenSource(timeout);
        while (!run.IsCompleted)
        {
            var timer = _timers.Reader.WaitToReadAsync(cts.Token).AsTask();
            await Task.WhenAny(run, timer);
            cts.Token.ThrowIfCancellationRequested();
            while (_timers.Reader.TryRead(out var due))
            {
                planned.Add(due);
                Advance(due);
            }
        }

        await run;
        return planned;
    }
}
