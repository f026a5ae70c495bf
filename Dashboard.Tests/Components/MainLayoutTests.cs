using Bunit;
using Dashboard.Components.Layout;
using Dashboard.Domain;
using Dashboard.Runs;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Components;

public sealed class MainLayoutTests : LiveTestContext
{
    public MainLayoutTests() =>
        Services.AddSingleton<IRunLauncher>(sp => new TestRunLauncher(sp.GetRequiredService<Dashboard.Events.IEventHub>(), Time, [], _ => []));

    private IRenderedComponent<MainLayout> RenderLayout() =>
        Render<MainLayout>(p => p.Add(x => x.Body, (RenderFragment)(b => b.AddMarkupContent(0, "<p id='body'>page</p>"))));

    private BackendHealthChanged Health(string name, bool demo) => new()
    {
        Backend = name,
        At = T0,
        Health = new BackendHealth(name, "codedreamer", BackendState.Connected, null, 0, 0, 0, 0, null, demo),
    };

    [Fact]
    public void Navigation_reaches_every_feature()
    {
        var cut = RenderLayout();

        var links = cut.FindAll("nav a, .mud-nav-link").Select(a => a.GetAttribute("href")).Where(h => h is not null).Distinct().ToList();
        Assert.Equal(["", "runs", "runs/new", "backends", "insights", "history"], links);
        Assert.NotNull(cut.Find("#body"));
    }

    [Fact]
    public void Demo_mark_appears_when_a_demo_backend_connects()
    {
        Publish(Health("real", demo: false));
        var cut = RenderLayout();
        Assert.DoesNotContain(">DEMO<", cut.Markup.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);

        Publish(Health("demo-dreamer", demo: true));

        cut.WaitForAssertion(() => Assert.Contains("Demo mode: simulated upstreams demo-dreamer", cut.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public void Dark_mode_is_read_from_and_saved_to_the_browser()
    {
        var theme = JSInterop.SetupModule("./js/theme.js");
        theme.Setup<bool>("load").SetResult(true);
        theme.SetupVoid("save", _ => true).SetVoidResult();
        var cut = RenderLayout();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("button[aria-label='Switch to light mode']")));
        cut.Find("button[aria-label='Switch to light mode']").Click();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("button[aria-label='Switch to dark mode']")));
        var save = theme.VerifyInvoke("save");
        Assert.Equal(false, save.Arguments[0]);
    }
}
