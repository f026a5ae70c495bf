using System.Globalization;
using Dashboard.Components.Display;
using Dashboard.Domain;
using Dashboard.Runs;
using Dashboard.State;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Dashboard.Components.Pages;

/// <summary>
/// One run, live: its output, timeline and details. The output follows its tail only while the
/// run streams; an ended run opens at the top.
/// </summary>
public sealed partial class RunDetail
{
    private RunView? _run;
    private bool _confirmCancel;
    private bool _cancelling;
    private string? _cancelError;
    private bool _notify;
    private bool _notified;
    private ElementReference _scroller;
    private IJSObjectReference? _module;
    private IJSObjectReference? _follower;
    private IJSObjectReference? _notifier;
    private bool _followingLive;
    private ITimer? _clock;

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

    protected override bool Accepts(DashboardEvent e) =>
        string.Equals(StatusDisplay.RunIdOf(e), Id, StringComparison.Ordinal);

    protected override void OnInitialized()
    {
        base.OnInitialized();
        // Elapsed and remaining time move without events: tick once a second while the run is live.
        _clock = Time.CreateTimer(_ => _ = InvokeAsync(Tick), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    protected override void OnParametersSet() => _run = State.GetRun(Id);

    protected override void OnLiveUpdate() => _run = State.GetRun(Id);

    private void Tick()
    {
        _run = State.GetRun(Id);
        if (_run is { } run && !run.Status.IsTerminal())
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

        var live = !run.Status.IsTerminal();
        if (_follower is null)
        {
            _module ??= await JS.InvokeAsync<IJSObjectReference>("import", "./js/autoscroll.js");
            _follower = await _module.InvokeAsync<IJSObjectReference>("follow", _scroller, live);
            _followingLive = live;
        }
        else if (_followingLive && !live)
        {
            // The stream is over: stop following, leave the reader where they are.
            _followingLive = false;
            await _follower.InvokeVoidAsync("stop");
        }

        if (_notify && !live && !_notified && _notifier is not null)
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
        _run = State.GetRun(Id);
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
            if (_follower is not null)
            {
                await _follower.InvokeVoidAsync("dispose");
                await _follower.DisposeAsync();
            }

            if (_module is not null)
            {
                await _module.DisposeAsync();
            }

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
