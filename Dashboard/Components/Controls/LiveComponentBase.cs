using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.State;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;

namespace Dashboard.Components.Controls;

/// <summary>
/// A component that follows the hub: subscribes in <see cref="OnInitialized"/> with
/// <see cref="Accepts"/> as a <see cref="HubWatch"/> (one wake-up for any number of events, so a
/// page is woken only when what it shows changed, at most once per render), renders through a
/// <see cref="RenderThrottle"/> (at once after a quiet spell, at most ~25 times a second during a
/// burst, a run's end at once), and stops watching when the circuit disposes it.
/// </summary>
public abstract class LiveComponentBase : ComponentBase, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private HubWatch? _watch;

    [Inject]
    protected IEventHub Hub { get; set; } = null!;

    [Inject]
    protected TimeProvider Time { get; set; } = null!;

    [Inject]
    private IOptions<LiveRenderOptions> RenderOptions { get; set; } = null!;

    protected IDashboardState State => Hub.State;

    /// <summary>Which events should wake this component (evaluated on the publisher's thread: keep it cheap).</summary>
    protected virtual bool Accepts(DashboardEvent e) => true;

    /// <summary>Events whose effect should show without waiting for the next tick.</summary>
    /// <remarks>A run's end; on a summary page also a run appearing (counters and progress wait for the interval).</remarks>
    protected virtual bool IsUrgent(DashboardEvent e) => e is RunEnded || (IsSummary && e is RunCreated);

    /// <summary>Called on the renderer's thread before each live render (read state into fields here).</summary>
    protected virtual void OnLiveUpdate()
    {
    }

    /// <summary>
    /// Called after <see cref="OnLiveUpdate"/>: false when nothing this component shows changed, so
    /// the render (and its batch to the browser) is skipped. A component that shows only part of
    /// what wakes it (e.g. a backend's state but not its event counters) says so here.
    /// </summary>
    protected virtual bool LiveUpdateChangedView() => true;

    /// <summary>
    /// True for a page that summarizes many things: it renders at most once per
    /// <see cref="LiveRenderOptions.SummaryInterval"/> (urgent changes still at once).
    /// </summary>
    protected virtual bool IsSummary => false;

    protected override void OnInitialized()
    {
        _watch = Hub.Watch(Accepts, IsUrgent);
        var options = RenderOptions.Value;
        var throttle = new RenderThrottle(Time, IsSummary ? options.SummaryInterval : options.MinInterval);
        _ = throttle.RunAsync(_watch, RenderLiveAsync, _stop.Token);
    }

    private Task RenderLiveAsync() => InvokeAsync(() =>
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        OnLiveUpdate();
        if (LiveUpdateChangedView())
        {
            StateHasChanged();
        }
    });

    public void Dispose()
    {
        _stop.Cancel();
        _watch?.Dispose();
        _stop.Dispose();
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
