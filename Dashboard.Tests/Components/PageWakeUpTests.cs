using System.Collections.Concurrent;
using Bunit;
using Dashboard.Backends;
using Dashboard.Components.Controls;
using Dashboard.Components.Layout;
using Dashboard.Components.Pages;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Runs;
using Dashboard.State;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Components;

/// <summary>
/// A page is woken and renders only when what it shows changed: while one run streams text at
/// 1,000 deltas a second (simulated time), the Overview, the Runs page and a different run's page
/// are never woken and do not render; on the watching run's page only its text component follows
/// the text, at most once per interval, and the page itself renders for what else it shows.
/// Wake-ups are counted where the hub evaluates each page's filter (synchronously, in Publish),
/// live renders where the page's throttle takes a change. (bUnit's RenderCount of another run's
/// page also counts renders of its subtree that the hub does not cause; it is not used there.)
/// </summary>
public sealed class PageWakeUpTests : LiveTestContext
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(40);
    private readonly ConcurrentDictionary<object, int> _wakes = new();
    private readonly ConcurrentDictionary<object, int> _renders = new();

    public PageWakeUpTests()
    {
        Services.Configure<LiveRenderOptions>(o => o.MinInterval = Interval);
        Services.AddSingleton<IEventHub>(sp => new CountingHub(sp.GetRequiredService<EventHub>(), _wakes, _renders));
        Services.AddSingleton<IRunLauncher>(sp => new TestRunLauncher(
            sp.GetRequiredService<IEventHub>(), Time, [new RunBackend("chat", "openai-chat", false, [])], _ => []));
    }

    private int Wakes(object page) => _wakes.GetValueOrDefault(page);

    private int LiveRenders(object page) => _renders.GetValueOrDefault(page);

    [Fact]
    public void Pages_that_do_not_show_the_streaming_text_are_never_woken_and_do_not_render()
    {
        Publish(Created("streaming", 0), Created("other", 0));
        var overview = Render<Overview>();
        var runs = Render<RunsPage>();
        var other = Render<RunDetail>(p => p.Add(x => x.Id, "other"));
        var before = (overview.RenderCount, runs.RenderCount);

        StreamThreeSeconds();

        Assert.Equal(0, Wakes(overview.Instance));
        Assert.Equal(0, Wakes(runs.Instance));
        Assert.Equal(0, Wakes(other.Instance));
        Assert.Equal(0, LiveRenders(overview.Instance) + LiveRenders(runs.Instance) + LiveRenders(other.Instance));
        Assert.Equal(before, (overview.RenderCount, runs.RenderCount));
        // The other run's text components follow their own run's text only.
        var otherText = other.FindComponents<LiveRunText>();
        Assert.Equal(2, otherText.Count);
        Assert.All(otherText, t => Assert.Equal(0, Wakes(t.Instance) + LiveRenders(t.Instance)));
    }

    [Fact]
    public void The_streaming_runs_text_renders_at_most_once_per_interval_not_once_per_delta()
    {
        Publish(Created("streaming", 0));
        var watching = Render<RunDetail>(p => p.Add(x => x.Id, "streaming"));
        var text = OutputOf(watching);

        // The first delta after the quiet spell renders at once: waited for, so the count does not
        // depend on whether the throttle's thread ran while this one advanced the clock (on a busy
        // machine it may not run until the end, and the whole stream is then one render).
        StreamThreeSeconds(afterFirstDelta: () => watching.WaitForAssertion(() => Assert.Equal(1, LiveRenders(text))));
        ShowsWhileTheClockMoves(watching, () => Assert.EndsWith("w END", watching.Find(".md-body p").TextContent.TrimEnd(), StringComparison.Ordinal));

        Assert.Equal(3_001, Wakes(text));
        // One render per 40 ms interval over 3 s (75), +1 at the start after the quiet spell: never one per delta.
        Assert.InRange(LiveRenders(text), 2, 76 + 1);
    }

    [Fact]
    public void The_run_page_itself_does_not_render_on_text_and_still_renders_a_stage_change()
    {
        // Running already (a stage was reported): no text can change what the page itself shows.
        Publish(Created("streaming", 0), Stage("streaming", "generate", 0));
        var watching = Render<RunDetail>(p => p.Add(x => x.Id, "streaming"));
        var text = OutputOf(watching);
        var thinking = watching.FindComponents<LiveRunText>().Single(t => t.Instance.Channel == TextChannel.Thinking).Instance;

        StreamThreeSeconds(afterFirstDelta: () => watching.WaitForAssertion(() => Assert.Equal(1, LiveRenders(text))));
        ShowsWhileTheClockMoves(watching, () => Assert.EndsWith("w END", watching.Find("#run-output .md-body p").TextContent.TrimEnd(), StringComparison.Ordinal));

        Assert.Equal(0, Wakes(watching.Instance));
        Assert.Equal(0, LiveRenders(watching.Instance));
        Assert.Equal(3_001, Wakes(text));
        Assert.InRange(LiveRenders(text), 2, 76 + 1);
        Assert.Equal(0, Wakes(thinking));
        Assert.Equal("generate", watching.Find("[data-stat='Stage']").TextContent.Trim());

        Publish(Stage("streaming", "review", 4));
        watching.WaitForAssertion(() => Assert.Equal("review", watching.Find("[data-stat='Stage']").TextContent.Trim()));
        Assert.Equal(1, Wakes(watching.Instance));
        Assert.Equal(1, LiveRenders(watching.Instance));
        Assert.EndsWith("w END", watching.Find("#run-output .md-body p").TextContent.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_pending_runs_page_renders_for_the_first_text_that_starts_it_then_no_more()
    {
        Publish(Created("streaming", 0));
        var watching = Render<RunDetail>(p => p.Add(x => x.Id, "streaming"));
        Assert.Contains("Waiting for text", watching.Find("#run-output").TextContent, StringComparison.Ordinal);

        Publish(Text("streaming", "first "));
        watching.WaitForAssertion(() => Assert.Equal(1, LiveRenders(watching.Instance)));
        watching.WaitForAssertion(() => Assert.Equal("running", watching.Find("[data-status]").GetAttribute("data-status")));
        watching.WaitForAssertion(() => Assert.Equal("first", watching.Find("#run-output .md-body p").TextContent.Trim()));

        Time.Advance(Interval);
        for (var i = 0; i < 100; i++)
        {
            Publish(Text("streaming", "w "));
        }

        Time.Advance(Interval);
        watching.WaitForAssertion(() => Assert.EndsWith("w", watching.Find("#run-output .md-body p").TextContent.TrimEnd(), StringComparison.Ordinal));
        Assert.Equal(1, Wakes(watching.Instance));
        Assert.DoesNotContain("Waiting for text", watching.Find("#run-output").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void The_runs_end_shows_in_the_text_component_without_a_text_event()
    {
        Publish(Created("quiet", 0), Stage("quiet", "generate", 0));
        var watching = Render<RunDetail>(p => p.Add(x => x.Id, "quiet"));
        Assert.Contains("Waiting for text", watching.Find("#run-output").TextContent, StringComparison.Ordinal);

        Publish(new RunEnded { Backend = "chat", At = At(2), RunId = "quiet", Status = RunStatus.Completed });

        watching.WaitForAssertion(() => Assert.Contains("No text was produced.", watching.Find("#run-output").TextContent, StringComparison.Ordinal));
        Assert.Equal(1, Wakes(OutputOf(watching)));
    }

    private static LiveRunText OutputOf(IRenderedComponent<RunDetail> page) =>
        page.FindComponents<LiveRunText>().Single(t => t.Instance.Channel == TextChannel.Output).Instance;

    [Fact]
    public async Task A_change_the_page_shows_wakes_it_once_however_many_events_carried_it()
    {
        Publish(Created("a", 0));
        var overview = Render<Overview>();
        var rendersBefore = overview.RenderCount;

        Publish(Created("b", 1));
        overview.WaitForAssertion(() => Assert.Equal(1, LiveRenders(overview.Instance)));
        // The throttle takes the change (counted above), then notes the fake clock's time and
        // renders: wait for the render itself, so the clock moves only after that note (moved in
        // between, the burst's wait below would start from the later time and outlast the test's).
        overview.WaitForAssertion(() => Assert.True(overview.RenderCount > rendersBefore));
        var summaryInterval = new LiveRenderOptions().SummaryInterval;
        Time.ForgetTimers();

        // Within one interval of that render: merged into one render when the interval is up. The
        // Overview is a summary page: its interval is the summary one (1 s), not a run page's 40 ms.
        for (var i = 0; i < 50; i++)
        {
            Publish(Stage("b", $"stage{i}", 1 + (i * 0.01)));
        }

        // The clock moves only once the throttle's wait is set: it reads the clock, then starts a
        // timer for the rest of the interval; a clock moved in between would add the move to the
        // wait, past the last time this test moves it to.
        await Time.NextTimerAsync(due => due == summaryInterval, TimeSpan.FromSeconds(30));

        // One run-page interval later it has not rendered (given real time to, were it due).
        Time.Advance(Interval);
        Assert.ThrowsAny<Exception>(() => overview.WaitForAssertion(
            () => Assert.Contains("stage49", overview.Markup, StringComparison.Ordinal), TimeSpan.FromMilliseconds(300)));

        Time.Advance(summaryInterval - Interval);
        overview.WaitForAssertion(() => Assert.Contains("stage49", overview.Markup, StringComparison.Ordinal));
        Assert.Equal(2, LiveRenders(overview.Instance));
        Assert.Equal(51, Wakes(overview.Instance));
    }

    [Fact]
    public void Health_publications_that_only_move_counters_wake_no_view_and_a_state_change_wakes_each_once()
    {
        var overview = Render<Overview>();
        var demo = Render<DemoIndicator>();
        var alerts = Render<BackendAlerts>();
        object[] views = [overview.Instance, demo.Instance, alerts.Instance];

        // A streaming backend publishes its health once a second, its counters moved each time.
        for (var i = 1; i <= 10; i++)
        {
            Publish(Health(BackendState.Connected, events: i * 100));
        }

        // The first publication is news (the backend was not seen before); the nine after it are not.
        Assert.All(views, v => Assert.Equal(1, Wakes(v)));

        Publish(Health(BackendState.Failed, events: 1_100, error: "connection refused"));
        Assert.All(views, v => Assert.Equal(2, Wakes(v)));
        alerts.WaitForAssertion(() => Assert.Contains("Backend chat failed: connection refused", Services.GetRequiredService<MudBlazor.ISnackbar>().ShownSnackbars.Single().Message, StringComparison.Ordinal));

        Publish(Health(BackendState.Failed, events: 1_100, error: "connection refused"), Health(BackendState.Connected, events: 1_200));
        Assert.All(views, v => Assert.Equal(3, Wakes(v)));
    }

    [Fact]
    public void An_ended_runs_page_has_no_clock_and_a_live_runs_page_ticks_until_the_run_ends()
    {
        var time = new CountingTime(Time);
        Services.AddSingleton<TimeProvider>(time);
        Publish(Created("ended", 0), new RunEnded { Backend = "chat", At = At(5), RunId = "ended", Status = RunStatus.Completed }, Created("live", 0));

        Render<RunDetail>(p => p.Add(x => x.Id, "ended"));
        AdvanceSeconds(10);
        Assert.Equal(0, time.Fired);

        var live = Render<RunDetail>(p => p.Add(x => x.Id, "live"));
        AdvanceSeconds(3);
        Assert.Equal(3, time.Fired);

        Publish(new RunEnded { Backend = "chat", At = Time.GetUtcNow(), RunId = "live", Status = RunStatus.Completed });
        live.WaitForAssertion(() => Assert.Equal("completed", live.Find("[data-status]").GetAttribute("data-status")));
        var atEnd = time.Fired;
        AdvanceSeconds(10);
        Assert.Equal(atEnd, time.Fired);
    }

    private void AdvanceSeconds(int seconds)
    {
        for (var i = 0; i < seconds; i++)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    private BackendHealthChanged Health(BackendState state, long events, string? error = null) => new()
    {
        Backend = "chat",
        At = Time.GetUtcNow(),
        Health = new BackendHealth("chat", "openai-chat", state, Time.GetUtcNow(), events, 0, 0, 0, error, false),
    };

    /// <summary>The test clock, counting the timer callbacks it fires for run pages (MudBlazor's own timers, e.g. its popover queue, are not the page's).</summary>
    private sealed class CountingTime(Microsoft.Extensions.Time.Testing.FakeTimeProvider inner) : TimeProvider
    {
        private int _fired;

        public int Fired => Volatile.Read(ref _fired);

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

        public override long GetTimestamp() => inner.GetTimestamp();

        public override long TimestampFrequency => inner.TimestampFrequency;

        public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            callback.Target is not RunDetail
                ? inner.CreateTimer(callback, state, dueTime, period)
                : inner.CreateTimer(s =>
                {
                    Interlocked.Increment(ref _fired);
                    callback(s);
                }, state, dueTime, period);
    }

    /// <summary>
    /// Waits for <paramref name="assertion"/>, moving the clock one interval at a time meanwhile: the
    /// stream's last delta may find the throttle within an interval of its previous render, and the
    /// throttle reads the clock before it starts the timer for the rest of that interval, so the
    /// stream's last move of the clock can fall in between and be added to that wait.
    /// </summary>
    private void ShowsWhileTheClockMoves(IRenderedComponent<RunDetail> page, Action assertion)
    {
        for (var i = 0; i < 50; i++)
        {
            try
            {
                page.WaitForAssertion(assertion, TimeSpan.FromMilliseconds(200));
                return;
            }
            catch (Bunit.Extensions.WaitForHelpers.WaitForFailedException)
            {
                Time.Advance(Interval);
            }
        }

        page.WaitForAssertion(assertion);
    }

    /// <summary>Three simulated seconds of one run's text at 1,000 deltas a second, then its last delta.</summary>
    private void StreamThreeSeconds(Action? afterFirstDelta = null)
    {
        for (var i = 0; i < 3_000; i++)
        {
            Publish(Text("streaming", "w "));
            if (i == 0)
            {
                afterFirstDelta?.Invoke();
            }

            Time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Publish(Text("streaming", "END"));
        Time.Advance(Interval);
    }

    private RunCreated Created(string id, double at) => new() { Backend = "chat", At = At(at), RunId = id, Prompt = "Explain" };

    private RunTextReceived Text(string id, string text) =>
        new() { Backend = "chat", At = Time.GetUtcNow(), RunId = id, Text = text, Mode = TextMode.Append, Channel = TextChannel.Output };

    private RunStageReported Stage(string id, string stage, double at) =>
        new() { Backend = "chat", At = At(at), RunId = id, Stage = stage, Status = StageStatus.Running };

    /// <summary>
    /// The real hub, counting per watching component (the filter's target) each event it accepts
    /// and each live render its throttle makes (a wake-up that takes a change renders once).
    /// </summary>
    private sealed class CountingHub(EventHub inner, ConcurrentDictionary<object, int> wakes, ConcurrentDictionary<object, int> renders) : IEventHub
    {
        public IDashboardState State => inner.State;

        public long Publish(DashboardEvent e) => inner.Publish(e);

        public HubSubscription Subscribe(Func<DashboardEvent, bool>? filter = null, int? capacity = null) => inner.Subscribe(filter, capacity);

        public HubWatch Watch(Func<DashboardEvent, bool> accepts, Func<DashboardEvent, bool> isUrgent)
        {
            var page = accepts.Target!;
            var watch = inner.Watch(
                e =>
                {
                    var accepted = accepts(e);
                    if (accepted)
                    {
                        wakes.AddOrUpdate(page, 1, (_, n) => n + 1);
                    }

                    return accepted;
                },
                isUrgent);
            return new CountingWatch(watch, () => renders.AddOrUpdate(page, 1, (_, n) => n + 1));
        }
    }

    private sealed class CountingWatch(HubWatch inner, Action rendered) : HubWatch
    {
        private bool _woken;

        public override async ValueTask<bool> WaitAsync(CancellationToken cancellationToken)
        {
            var woken = await inner.WaitAsync(cancellationToken);
            _woken = woken;
            return woken;
        }

        // The throttle takes once when woken (a change there means one render) and again after its wait.
        public override HubChanges Take()
        {
            var changes = inner.Take();
            if (_woken && changes != HubChanges.None)
            {
                rendered();
            }

            _woken = false;
            return changes;
        }

        public override void Dispose() => inner.Dispose();
    }
}
