using System.Threading.Channels;
using Dashboard.Components.Controls;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Tests.Ingest;

namespace Dashboard.Tests.Components;

public sealed class RenderThrottleTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly SignalingTimeProvider _time = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly DirtyFlagWatch _events = new(_ => true, e => e is RunEnded, _ => { });
    private readonly Channel<int> _renders = Channel.CreateUnbounded<int>();
    private int _renderCount;

    private Task Start(CancellationToken token = default) =>
        new RenderThrottle(_time, TimeSpan.FromMilliseconds(40)).RunAsync(
            _events,
            () =>
            {
                _renders.Writer.TryWrite(Interlocked.Increment(ref _renderCount));
                return Task.CompletedTask;
            },
            token);

    private void Publish(DashboardEvent e) => _events.Offer(e);

    private RunStageReported Stage() => new() { Backend = "b", At = _time.GetUtcNow(), RunId = "r", Stage = "s", Status = StageStatus.Running };

    [Fact]
    public async Task A_burst_within_the_interval_renders_once_after_it()
    {
        var pump = Start();
        Publish(Stage());
        Assert.Equal(1, await _renders.Reader.ReadAsync().AsTask().WaitAsync(Timeout));

        for (var i = 0; i < 100; i++)
        {
            Publish(Stage());
        }

        Assert.False(_renders.Reader.TryPeek(out _));
        // Moved once the throttle has set its wait: it reads the clock, then starts a timer for the
        // rest of the interval, and a move in between would be added to that wait.
        await _time.NextTimerAsync(due => due == TimeSpan.FromMilliseconds(40), Timeout);
        _time.Advance(TimeSpan.FromMilliseconds(40));

        Assert.Equal(2, await _renders.Reader.ReadAsync().AsTask().WaitAsync(Timeout));
        _events.Dispose();
        await pump.WaitAsync(Timeout);
        Assert.Equal(2, _renderCount);
    }

    [Fact]
    public async Task A_run_ending_renders_at_once_without_waiting_for_the_tick()
    {
        var pump = Start();
        Publish(Stage());
        await _renders.Reader.ReadAsync().AsTask().WaitAsync(Timeout);

        Publish(new RunEnded { Backend = "b", At = _time.GetUtcNow(), RunId = "r", Status = RunStatus.Completed });

        Assert.Equal(2, await _renders.Reader.ReadAsync().AsTask().WaitAsync(Timeout));
        _events.Dispose();
        await pump.WaitAsync(Timeout);
    }

    [Fact]
    public async Task Cancelling_stops_the_pump_quietly_even_while_waiting()
    {
        using var cts = new CancellationTokenSource();
        var pump = Start(cts.Token);
        Publish(Stage());
        await _renders.Reader.ReadAsync().AsTask().WaitAsync(Timeout);
        Publish(Stage());

        await cts.CancelAsync();
        await pump.WaitAsync(Timeout);

        Assert.True(pump.IsCompletedSuccessfully);
        Assert.Equal(1, _renderCount);
    }
}
