using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.State;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;

namespace Dashboard.Components.Controls;

/// <summary>
/// A component that follows the hub: subscribes in <see cref="OnInitialized"/> with
/// <see cref="Accepts"/>, renders at most ~25 times a second through a <see cref="RenderThrottle"/>,
/// renders a run's end at once, and unsubscribes when the circuit disposes it.
/// </summary>
public abstract class LiveComponentBase : ComponentBase, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private HubSubscription? _subscription;

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
    protected virtual bool IsUrgent(DashboardEvent e) => e is RunEnded;

    /// <summary>Called on the renderer's thread before each live render (read state into fields here).</summary>
    protected virtual void OnLiveUpdate()
    {
    }

    protected override void OnInitialized()
    {
        _subscription = Hub.Subscribe(Accepts);
        var throttle = new RenderThrottle(Time, RenderOptions.Value.MinInterval);
        _ = throttle.RunAsync(_subscription.Events, IsUrgent, RenderLiveAsync, _stop.Token);
    }

    private Task RenderLiveAsync() => InvokeAsync(() =>
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        OnLiveUpdate();
        StateHasChanged();
    });

    public void Dispose()
    {
        _stop.Cancel();
        _subscription?.Dispose();
        _stop.Dispose();
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
