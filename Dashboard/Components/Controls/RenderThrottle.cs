using Dashboard.Events;

namespace Dashboard.Components.Controls;

/// <summary>
/// Turns a view's wake-ups into renders: the first change after a quiet spell (nothing rendered
/// for a whole <see cref="MinInterval"/>) renders at once; changes during a burst wait at most
/// until one interval after the previous render started, and every change in between is merged
/// into that render. The render reads the current state, so merging loses nothing. An urgent
/// change (a run ending) renders at once, so the final state never waits for the next tick.
/// </summary>
public sealed class RenderThrottle(TimeProvider time, TimeSpan minInterval)
{
    /// <summary>40 ms: during a burst at most 25 renders per second per component.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(40);

    public TimeSpan MinInterval { get; } = minInterval;

    /// <summary>Runs until <paramref name="watch"/> is disposed or <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(HubWatch watch, Func<Task> render, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(watch);
        ArgumentNullException.ThrowIfNull(render);
        var lastRender = DateTimeOffset.MinValue;
        try
        {
            while (await watch.WaitAsync(cancellationToken))
            {
                var changes = watch.Take();
                if (changes == HubChanges.None)
                {
                    // A stale wake-up: its change was already merged into the previous render.
                    continue;
                }

                var wait = lastRender == DateTimeOffset.MinValue ? TimeSpan.Zero : lastRender + MinInterval - time.GetUtcNow();
                if (!changes.HasFlag(HubChanges.Urgent) && wait > TimeSpan.Zero)
                {
                    // Whatever changes meanwhile (an urgent one too) goes out with this render.
                    await Task.Delay(wait, time, cancellationToken);
                    watch.Take();
                }

                // Measured from the render's start, so a slow render does not stretch the interval.
                lastRender = time.GetUtcNow();
                await render();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The component went away: nothing left to render.
        }
    }
}
