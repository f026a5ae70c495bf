using Bunit;
using Dashboard.Components.Display;
using Dashboard.Components.Layout;
using Dashboard.Domain;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace Dashboard.Tests.Components;

/// <summary>A backend's connection trouble is told once when it begins and once when it ends, through the real hub and state.</summary>
public sealed class BackendAlertsTests : LiveTestContext
{
    private long _events;

    private BackendHealthChanged Health(string name, BackendState state, string? error = null) => new()
    {
        Backend = name,
        At = T0,
        // Counters move with every publication, as the monitors' do.
        Health = new BackendHealth(name, "codegen", state, null, ++_events, 0, _events, 0, error, false),
    };

    private IReadOnlyList<string> Shown() =>
        Services.GetRequiredService<ISnackbar>().ShownSnackbars.Select(s => s.Message?.ToString() ?? "").ToList();

    [Fact]
    public void A_failure_shows_one_snackbar_however_many_retries_follow_and_one_when_it_is_back()
    {
        Publish(Health("gen", BackendState.Connected));
        var cut = Render<BackendAlerts>();
        Assert.Empty(Shown());

        Publish(Health("gen", BackendState.Reconnecting, "connection refused"));
        cut.WaitForAssertion(() => Assert.Single(Shown()));
        Assert.Equal("Backend gen lost its connection (retrying): connection refused", Shown()[0]);

        // Retries, a refusal and counter changes: still the same trouble.
        Publish(
            Health("gen", BackendState.Reconnecting, "connection refused"),
            Health("gen", BackendState.Failed, "HTTP 503"),
            Health("gen", BackendState.Reconnecting, "connection refused"));
        Publish(Health("gen", BackendState.Connected));
        cut.WaitForAssertion(() => Assert.Equal(2, Shown().Count));
        Assert.Equal("Backend gen is connected again.", Shown()[1]);
        Assert.Equal([Severity.Error, Severity.Success], Services.GetRequiredService<ISnackbar>().ShownSnackbars.Select(s => s.Severity));

        Publish(Health("gen", BackendState.Connected), Health("gen", BackendState.Failed, "HTTP 401: bad token"));
        cut.WaitForAssertion(() => Assert.Equal(3, Shown().Count));
        Assert.Equal("Backend gen failed: HTTP 401: bad token", Shown()[2]);
    }

    [Fact]
    public void A_backend_already_failing_when_the_page_opens_is_not_news()
    {
        Publish(Health("gen", BackendState.Failed, "HTTP 401"), Health("other", BackendState.Connected));
        var cut = Render<BackendAlerts>();

        Publish(Health("gen", BackendState.Failed, "HTTP 401"), Health("other", BackendState.Reconnecting));

        cut.WaitForAssertion(() => Assert.Equal(["Backend other lost its connection (retrying)."], Shown()));
    }

    [Fact]
    public void A_failure_also_reaches_the_browser_when_the_reader_opted_in()
    {
        var notify = JSInterop.SetupModule("./js/notify.js");
        notify.Setup<string>("request").SetResult("granted");
        notify.SetupVoid("show", _ => true).SetVoidResult();
        Publish(Health("gen", BackendState.Connected));
        var cut = Render<BackendAlerts>();

        cut.Find("#notify-backends").Click();
        cut.WaitForAssertion(() => Assert.Equal("true", cut.Find("#notify-backends").GetAttribute("aria-pressed")));
        Publish(Health("gen", BackendState.Failed, "HTTP 500"), Health("gen", BackendState.Failed, "HTTP 500"));

        cut.WaitForAssertion(() => notify.VerifyInvoke("show", calledTimes: 1));
        var shown = notify.VerifyInvoke("show", calledTimes: 1)[0];
        Assert.Equal<object?>(["Backend gen in trouble", "Backend gen failed: HTTP 500"], shown.Arguments);
    }

    [Fact]
    public void Idle_after_trouble_is_quiet_and_the_next_failure_is_news_again()
    {
        var transitions = new BackendTransitions();
        BackendHealth H(BackendState s) => new("gen", "codegen", s, null, 0, 0, 0, 0, null, false);
        transitions.Baseline([H(BackendState.Connecting)]);

        Assert.Single(transitions.Observe([H(BackendState.Reconnecting)]));
        Assert.Empty(transitions.Observe([H(BackendState.Idle)]));
        Assert.Single(transitions.Observe([H(BackendState.Failed)]));
        Assert.Empty(transitions.Observe([H(BackendState.Failed)]));
    }
}
