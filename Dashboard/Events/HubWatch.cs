using System.Threading.Channels;
using Dashboard.Domain;

namespace Dashboard.Events;

/// <summary>What happened since a <see cref="HubWatch"/> was last taken.</summary>
[Flags]
public enum HubChanges
{
    None = 0,

    /// <summary>At least one accepted event was published.</summary>
    Changed = 1,

    /// <summary>At least one of them was urgent (e.g. a run ended).</summary>
    Urgent = 2,
}

/// <summary>
/// A view's wake-up: a dirty flag per watcher instead of a queued notification per event. Any
/// number of accepted events between two <see cref="Take"/> calls cost the watcher one wake-up,
/// so a page following a run that streams 1,000 deltas a second is woken at most once per render
/// instead of 1,000 times. The sequenced event stream (replay, live API, store) is unaffected:
/// those read <see cref="HubSubscription"/>, which still gets every event.
/// Dispose it (components: in Dispose) to unregister.
/// </summary>
public abstract class HubWatch : IDisposable
{
    /// <summary>Completes when there is something to <see cref="Take"/>; false once disposed.</summary>
    public abstract ValueTask<bool> WaitAsync(CancellationToken cancellationToken);

    /// <summary>Clears and returns what happened since the last call (<see cref="HubChanges.None"/> after a stale wake-up).</summary>
    public abstract HubChanges Take();

    public abstract void Dispose();
}

/// <summary>The hub's watcher: set by the publisher under the hub's lock, taken by the view's throttle.</summary>
internal sealed class DirtyFlagWatch : HubWatch
{
    private readonly Func<DashboardEvent, bool> _accepts;
    private readonly Func<DashboardEvent, bool> _isUrgent;
    private readonly Action<DirtyFlagWatch> _remove;
    private int _flags;
    private int _disposed;

    // One pending signal at most; continuations run on the thread pool, never on the publisher's thread.
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        AllowSynchronousContinuations = false,
        SingleReader = true,
    });

    public DirtyFlagWatch(Func<DashboardEvent, bool> accepts, Func<DashboardEvent, bool> isUrgent, Action<DirtyFlagWatch> remove)
    {
        _accepts = accepts;
        _isUrgent = isUrgent;
        _remove = remove;
    }

    public void Offer(DashboardEvent e)
    {
        if (!Evaluate(_accepts, e, fallback: true))
        {
            return;
        }

        var flags = (int)HubChanges.Changed;
        // Once urgent is set, later events need not ask again until the flags are taken.
        if ((Volatile.Read(ref _flags) & (int)HubChanges.Urgent) == 0 && Evaluate(_isUrgent, e, fallback: false))
        {
            flags |= (int)HubChanges.Urgent;
        }

        if (Interlocked.Or(ref _flags, flags) == 0)
        {
            _signal.Writer.TryWrite(true);
        }
    }

    // A throwing predicate must not break the publisher or other watchers; the wake-up is given
    // (the view re-reads state, so an extra one costs a render at most).
    private static bool Evaluate(Func<DashboardEvent, bool> predicate, DashboardEvent e, bool fallback)
    {
        try
        {
            return predicate(e);
        }
        catch
        {
            return fallback;
        }
    }

    public override async ValueTask<bool> WaitAsync(CancellationToken cancellationToken)
    {
        if (!await _signal.Reader.WaitToReadAsync(cancellationToken))
        {
            return false;
        }

        // Consume the signal before the flags are taken: a publisher that sets the flags after
        // this read finds them clear and signals again, so no change is ever left unsignalled.
        _signal.Reader.TryRead(out _);
        return true;
    }

    public override HubChanges Take() => (HubChanges)Interlocked.Exchange(ref _flags, 0);

    public override void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _remove(this);
        _signal.Writer.TryComplete();
    }
}
