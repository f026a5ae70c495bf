using System.Globalization;
using Dashboard.Components.Display;
using Dashboard.Domain;
using Dashboard.Runs;
using Dashboard.State;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Dashboard.Components.Pages;

/// <summary>
/// One run, live: its status, timeline and details. Its text is <see cref="LiveRunText"/>'s: the
/// page does not wake on text, which changes nothing else it shows once the run is running.
/// </summary>
public sealed partial class RunDetail
{
    private RunView? _run;
    private bool _confirmCancel;
    private bool _cancelling;
    private string? _cancelError;
    private bool _notify;
    private bool _notified;
    private IJSObjectReference? _notifier;
    private volatile bool _pending = true;
    private ITimer? _clock;
    private bool _ticking;

    [Inject]
    private IRunLauncher Launcher { get; set; } = null!;

    [Inject]
    private RemainingTimeEstimator Estimator { get; set; } = null!;

    [Inject]
    private IJSRuntime JS { get; set; } = null!;

    [Parameter]
    public string Id { get; set; } = "";

    /// <summary>The tab's title: the run's status first, so a background tab shows it.</summary>
    private string Title => _run is { } run
        ? $"{StatusDisplay.Text(run.Status)} · {DisplayText.Shorten(run.Prompt, 40)} · {run.Backend}"
        : $"Run {DisplayText.Shorten(Id, 40)} not found · AI pipeline dashboard";

    // A run's first text moves it from pending to running; after that, text is the text components' alone.
    protected override bool Accepts(DashboardEvent e) =>
        (e is not RunTextReceived || _pending) && string.Equals(StatusDisplay.RunIdOf(e), Id, StringComparison.Ordinal);

    protected override void OnInitialized()
    {
        base.OnInitialized();
        // Elapsed and remaining time move without events: tick once a second while the run is live
        // (armed by the first read). An ended run's page does not tick: nothing on it moves.
        _clock = Time.CreateTimer(_ => _ = InvokeAsync(Tick), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    protected override void OnParametersSet() => Read();

    protected override void OnLiveUpdate() => Read();

    private void Read()
    {
        _run = State.GetRun(Id);
        _pending = _run is not { } run || run.Status == RunStatus.Pending;
        var live = _run is { } read && !read.Status.IsTerminal();
        if (live != _ticking)
        {
            // Only when it flips: re-arming on every update would keep pushing the next tick away.
            _ticking = live;
            var period = live ? TimeSpan.FromSeconds(1) : Timeout.InfiniteTimeSpan;
            _clock?.Change(period, period);
        }
    }

    private void Tick()
    {
        Read();
        if (_ticking)
        {
            StateHasChanged();
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (_run is not { } run)
        {
            return;
        }

        if (_notify && run.Status.IsTerminal() && !_notified && _notifier is not null)
        {
            _notified = true;
            await _notifier.InvokeVoidAsync("show", $"Run {StatusDisplay.Text(run.Status)}", $"{run.Backend}: {DisplayText.Shorten(run.Prompt, 80)}");
        }
    }

    private async Task ToggleNotifyAsync()
    {
        if (_notify)
        {
            _notify = false;
            return;
        }

        _notifier ??= await JS.InvokeAsync<IJSObjectReference>("import", "./js/notify.js");
        var permission = await _notifier.InvokeAsync<string>("request");
        _notify = string.Equals(permission, "granted", StringComparison.Ordinal);
        if (!_notify)
        {
            _cancelError = "Notifications are blocked in this browser; allow them for this site to be notified.";
        }
    }

    private async Task CancelAsync()
    {
        _cancelling = true;
        _cancelError = null;
        var cancelled = await Launcher.CancelAsync(Id);
        _cancelling = false;
        _confirmCancel = false;
        Read();
        if (!cancelled && _run is { } run && !run.Status.IsTerminal())
        {
            _cancelError = "The run could not be cancelled.";
        }
    }

    private TimeSpan Elapsed(RunView run) => LiveClock.Since(run.StartedAt, run.EndedAt, Time);

    private static string Tokens(int? value) => value?.ToString("N0", CultureInfo.InvariantCulture) ?? "—";

    protected override void Dispose(bool disposing)
    {
        _clock?.Dispose();
        base.Dispose(disposing);
    }

    public async ValueTask DisposeAsync()
    {
        // The renderer calls only DisposeAsync on a component that has it: release the subscription here too.
        Dispose();
        try
        {
            if (_notifier is not null)
            {
                await _notifier.DisposeAsync();
            }
        }
        catch (JSDisconnectedException)
        {
            // The circuit is gone; so is the browser side.
        }
    }
}
