using Dashboard.Domain;
using Dashboard.State;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Dashboard.Components.Controls;

/// <summary>
/// A run's output or thinking, following the run's text without its page: wakes only on that
/// run's text of its channel and on the run's end (the last text and "No text was produced."
/// show at once). When what it draws around the text is unchanged (the usual delta), it does not
/// render itself either: it hands the buffer's new text to its Markdown control.
/// </summary>
public sealed partial class LiveRunText
{
    private Shown? _shown;
    private StreamingMarkdown? _markdown;
    private ElementReference _scroller;
    private IJSObjectReference? _module;
    private IJSObjectReference? _follower;
    private bool _followingLive;
    private bool _quiet;

    [Parameter, EditorRequired]
    public string RunId { get; set; } = "";

    [Parameter]
    public TextChannel Channel { get; set; } = TextChannel.Output;

    /// <summary>What this component draws besides the Markdown itself; a render is needed only when it changes.</summary>
    private sealed record Shown(TextBuffer Buffer, bool Empty, bool Ended, bool Truncated);

    protected override bool Accepts(DashboardEvent e) => e switch
    {
        RunTextReceived t => t.Channel == Channel && string.Equals(t.RunId, RunId, StringComparison.Ordinal),
        RunEnded end => string.Equals(end.RunId, RunId, StringComparison.Ordinal),
        _ => false,
    };

    protected override void OnParametersSet() => _shown = Read();

    protected override void OnLiveUpdate()
    {
        var shown = Read();
        if (shown is not null && shown == _shown && _markdown is not null)
        {
            // Only the text grew: the Markdown control renders its open block (or a new finished one) alone.
            _markdown.Refresh();
            _quiet = true;
            return;
        }

        _shown = shown;
        _quiet = false;
    }

    protected override bool LiveUpdateChangedView() => !_quiet;

    private Shown? Read()
    {
        if (State.GetRun(RunId) is not { } run)
        {
            return null;
        }

        var buffer = Channel == TextChannel.Thinking ? run.Thinking : run.Text;
        return new Shown(buffer, buffer.Length == 0, run.Status.IsTerminal(), buffer.Truncated);
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (Channel != TextChannel.Output || _shown is not { } shown)
        {
            return;
        }

        // The output follows its tail only while the run streams; an ended run opens at the top.
        var live = !shown.Ended;
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
    }

    public async ValueTask DisposeAsync()
    {
        // The renderer calls only DisposeAsync on a component that has it: release the watch here too.
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
        }
        catch (JSDisconnectedException)
        {
            // The circuit is gone; so is the browser side.
        }
    }
}
