using Bunit;
using Dashboard.Components.Controls;
using Dashboard.Components.Layout;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Runs;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace Dashboard.Tests.Components;

/// <summary>
/// The layout's live controls are on every page: a backend's health is published about once a
/// second while its events flow (its counters move), and that must not re-render them (a render
/// batch to every open page) unless what they show changed.
/// </summary>
public sealed class LayoutLiveRenderTests : LiveTestContext
{
    private long _events;

    public LayoutLiveRenderTests() =>
        Services.AddSingleton<IRunLauncher>(sp => new TestRunLauncher(sp.GetRequiredService<IEventHub>(), Time, [], _ => []));

    private BackendHealthChanged Health(string name, BackendState state = BackendState.Connected, bool demo = false) => new()
    {
        Backend = name,
        At = Time.GetUtcNow(),
        Health = new BackendHealth(name, "codegen", state, Time.GetUtcNow(), ++_events, 0, 0, 0, state == BackendState.Failed ? "HTTP 503" : null, demo),
    };

    [Fact]
    public void Moving_counters_render_neither_the_alerts_nor_the_demo_mark_and_a_shown_change_renders_the_mark_once()
    {
        Publish(Health("gen"));
        var alerts = Render<BackendAlerts>();
        var demo = Render<DemoIndicator>();
        var (alertsBefore, demoBefore) = (alerts.RenderCount, demo.RenderCount);

        for (var i = 0; i < 20; i++)
        {
            Publish(Health("gen"));
            Time.Advance(TimeSpan.FromSeconds(1));
        }

        // Changes they do show, after the counters: each control handles its wake-ups in order.
        Publish(Health("sim", demo: true), Health("gen", BackendState.Failed));
        demo.WaitForAssertion(() => Assert.Contains("DEMO", demo.Markup, StringComparison.Ordinal));
        alerts.WaitForAssertion(() => Assert.Single(Services.GetRequiredService<ISnackbar>().ShownSnackbars));

        Assert.Equal(demoBefore + 1, demo.RenderCount);
        // The alert is a snackbar (its provider renders it); the toggle button did not change.
        Assert.Equal(alertsBefore, alerts.RenderCount);
    }

    [Fact]
    public void The_overview_renders_for_a_backends_state_but_not_for_its_moving_counters()
    {
        Publish(Health("gen"));
        var overview = Render<Dashboard.Components.Pages.Overview>();
        // The first live update renders (the page keeps what it showed from then on).
        Publish(Health("gen"));
        Time.Advance(TimeSpan.FromSeconds(1));
        overview.WaitForAssertion(() => Assert.True(overview.RenderCount >= 2));
        var before = overview.RenderCount;

        for (var i = 0; i < 20; i++)
        {
            Publish(Health("gen"));
            Time.Advance(TimeSpan.FromSeconds(1));
        }

        // Twenty publications that only moved the counters: not one render (RenderCount also counts
        // the page's child components, so one page render moves it by more than one).
        Assert.Equal(before, overview.RenderCount);

        Publish(Health("gen", BackendState.Failed));
        Time.Advance(TimeSpan.FromSeconds(1));
        overview.WaitForAssertion(() => Assert.Contains("gen: Failed", overview.Markup, StringComparison.OrdinalIgnoreCase));
        Assert.True(overview.RenderCount > before);
    }
}
