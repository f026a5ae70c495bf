using System.Threading.Channels;
using Dashboard.Domain;
using Dashboard.Events;

namespace Dashboard.Components.Controls;

/// <summary>
/// Turns a burst of hub notifications into at most one render per <see cref="MinInterval"/>.
/// The render reads the current state, so merged notifications lose nothing. An urgent event (a
/// run ending) renders at once, so the final state never waits for the next tick.
/// </summary>
public sealed class RenderThrottle(TimeProvider time, TimeSpan minInterval)
{
    /// <summary>40 ms: at most 25 renders per second per component.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(40);

    public TimeSpan MinInterval { get; } = minInterval;

    /// <summary>Runs until <paramref name="events"/> completes or <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(
        ChannelReader<SequencedEvent> events,
        Func<DashboardEvent, bool> isUrgent,
        Func<Task> render,
        CancellationToken cancellationToken)
    {
        var lastRender = DateTimeOffset.MinValue;
        try
        {
            while (await events.WaitToReadAsync(cancellationToken))
            {
                var urgent = Drain(events, isUrgent);
                var wait = lastRender + MinInterval - time.GetUtcNow();
                if (!urgent && wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, cancellationToken);
                    Drain(events, isUrgent);
                }

                await render();
                lastRender = time.GetUtcNow();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The component went away: nothing left to render.
        }
    }

    private static bool Drain(ChannelReader<SequencedEvent> events, Func<DashboardEvent, bool> isUrgent)
    {
        var urgent = false;
        while (events.TryRead(out var item))
        {
            urgent |= isUrgent(item.Event);
        }

        return urgent;
    }
}
