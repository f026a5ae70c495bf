using Microsoft.AspNetCore.Components;

namespace Dashboard.Components.Controls;

/// <summary>
/// A panel that shows a status read from this process's memory every couple of seconds (what the
/// scale-out coordination or the history writer say about themselves): a circuit never waits on
/// Redis or the database, and renders only when the status changed. No status, no panel.
/// </summary>
/// <typeparam name="TStatus">A record: equal values mean nothing changed.</typeparam>
public abstract class PolledPanel<TStatus> : ComponentBase, IDisposable
    where TStatus : class
{
    /// <summary>How often the status is read again.</summary>
    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _disposed = new();

    [Inject]
    protected IServiceProvider Services { get; set; } = null!;

    [Inject]
    protected TimeProvider Time { get; set; } = null!;

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
        _ = PollAsync(read);
    }

    private async Task PollAsync(Func<TStatus?> read)
    {
        try
        {
            while (true)
            {
                await Task.Delay(Refresh, Time, _disposed.Token);
                var next = read();
                if (!Equals(next, Status))
                {
                    Status = next;
                    await InvokeAsync(StateHasChanged);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Page closed.
        }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
        GC.SuppressFinalize(this);
    }
}
