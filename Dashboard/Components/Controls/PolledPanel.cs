using Microsoft.AspNetCore.Components;

namespace Dashboard.Components.Controls;

/// <summary>
/// A panel that shows a status read from this process's memory every couple of seconds (what the
/// scale-out coordination or the history writer say about themselves): a circuit never waits on
/// Redis or the database, and renders only when the status changed. The reading is shared by every
/// open page (<see cref="StatusPolls"/>). No status, no panel.
/// </summary>
/// <typeparam name="TStatus">A record: equal values mean nothing changed.</typeparam>
public abstract class PolledPanel<TStatus> : ComponentBase, IDisposable
    where TStatus : class
{
    private IDisposable? _watch;

    [Inject]
    protected IServiceProvider Services { get; set; } = null!;

    [Inject]
    private StatusPolls Polls { get; set; } = null!;

    /// <summary>The status to show now, or null for none.</summary>
    protected TStatus? Status { get; private set; }

    /// <summary>Null when this panel has nothing to watch in this process (it then never polls).</summary>
    protected abstract Func<TStatus?>? Source();

    protected override void OnInitialized()
    {
        if (Source() is not { } read)
        {
            return;
        }

        Status = read();
        _watch = Polls.Watch(read, Status, next =>
        {
            Status = next;
            _ = InvokeAsync(StateHasChanged);
        });
    }

    public void Dispose()
    {
        _watch?.Dispose();
        GC.SuppressFinalize(this);
    }
}
