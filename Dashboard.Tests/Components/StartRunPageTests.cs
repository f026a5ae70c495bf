using System.Text.Json;
using Bunit;
using Dashboard.Backends;
using Dashboard.Backends.Codegen;
using Dashboard.Configuration;
using Dashboard.Events;
using Dashboard.Ingest;
using Dashboard.Security;
using Dashboard.State;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Dashboard.Components.Pages;
using Dashboard.Domain;
using Dashboard.Runs;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Components;

/// <summary>
/// The form against the real run manager and the real codegen kind (its own option fields and
/// validation rules). The upstream address is a closed loopback port: a started run fails in the
/// background, which these tests do not look at.
/// </summary>
public sealed class StartRunPageTests : LiveTestContext
{
    private const string ValidPrompt = "Build a todo API with users";

    public StartRunPageTests()
    {
        Services.AddIngest();
        Services.AddSingleton<IRunLauncher>(sp =>
        {
            var backends = new List<BackendOptions>
            {
                new() { Name = "codegen", Kind = "codegen", BaseUrl = "http://127.0.0.1:9", MaxConcurrentRuns = 4 },
            };
            var options = Options.Create(new DashboardOptions { Backends = backends });
            var kind = new CodegenKind();
            var catalog = new BackendCatalog();
            catalog.Publish([.. backends.Select(b => new BackendEntry(b, kind, kind.CreateClient(b, sp)))]);
            var hub = sp.GetRequiredService<IEventHub>();
            return new RunManager(catalog, hub, hub.State, options, Time, NullLogger<RunManager>.Instance);
        });
    }

    private RunView? OnlyRun() => Hub.State.Runs.SingleOrDefault();

    [Fact]
    public void Shows_the_backends_own_options_with_defaults()
    {
        var cut = Render<StartRun>();

        Assert.NotNull(cut.Find("#option-tech_stack"));
        Assert.NotNull(cut.Find("#option-domain"));
        Assert.NotNull(cut.Find("#option-constraints"));
        Assert.Equal("auto", cut.Find("#option-generation_mode").GetAttribute("value"));
    }

    [Fact]
    public void A_short_prompt_shows_the_reason_on_the_field_as_the_user_types()
    {
        var cut = Render<StartRun>();
        Assert.DoesNotContain("must be 10", cut.Markup, StringComparison.Ordinal);

        cut.Find("textarea").Input("short");

        cut.WaitForAssertion(() => Assert.Contains("The prompt must be 10–5000 characters (it has 5).", cut.Markup, StringComparison.Ordinal));

        cut.Find("textarea").Input(ValidPrompt);

        cut.WaitForAssertion(() => Assert.DoesNotContain("The prompt must be", cut.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public void Submitting_an_invalid_form_starts_nothing_and_shows_every_error()
    {
        var cut = Render<StartRun>();

        cut.Find("form").Submit();

        Assert.Contains("The prompt must be 10–5000 characters (it has 0).", cut.Markup, StringComparison.Ordinal);
        Assert.Empty(Hub.State.Runs);
        Assert.True(cut.Find("#start-submit").HasAttribute("disabled"));
    }

    [Fact]
    public void A_valid_form_starts_the_run_with_its_options_and_opens_the_run()
    {
        var cut = Render<StartRun>();
        cut.Find("textarea").Input(ValidPrompt);

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.NotNull(OnlyRun()));
        var run = OnlyRun()!;
        Assert.EndsWith($"/runs/{run.Id}", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
        Assert.Equal("codegen", run.Backend);
        Assert.Equal(ValidPrompt, run.Prompt);
        Assert.Null(run.ParentRunId);
        Assert.Equal("auto", run.Options["generation_mode"].GetString());
        Assert.False(run.Options.ContainsKey("tech_stack"));
    }

    [Fact]
    public void The_launchers_rejection_is_shown_in_the_form()
    {
        // The parent exists but never reached its backend: only the launcher knows, at submit time.
        Publish(
            new RunCreated { Backend = "codegen", At = T0, RunId = "p0", Prompt = "Original app prompt" },
            new RunEnded { Backend = "codegen", At = T0, RunId = "p0", Status = RunStatus.Completed });
        Services.GetRequiredService<NavigationManager>().NavigateTo("runs/new?parent=p0");
        var cut = Render<StartRun>();
        cut.Find("textarea").Input("Add pagination to the list");

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("has no upstream id", cut.Markup, StringComparison.Ordinal));
        Assert.Single(Hub.State.Runs);
        Assert.DoesNotContain("/runs/run", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
    }

    [Fact]
    public void Iterate_on_a_run_preselects_its_backend_parent_and_options()
    {
        Publish(
            new RunCreated
            {
                Backend = "codegen", At = T0, RunId = "p1", Prompt = "Original app prompt",
                Options = new Dictionary<string, JsonElement> { ["generation_mode"] = JsonSerializer.SerializeToElement("classic") },
            },
            new RunUpstreamIdAssigned { Backend = "codegen", At = T0, RunId = "p1", UpstreamId = "gen-1" },
            new RunEnded { Backend = "codegen", At = T0, RunId = "p1", Status = RunStatus.Completed });

        Services.GetRequiredService<NavigationManager>().NavigateTo("runs/new?parent=p1");
        var cut = Render<StartRun>();
        Assert.Equal("p1", cut.Find("#field-parent").GetAttribute("value"));
        cut.Find("textarea").Input("Add pagination to the list");
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Equal(2, Hub.State.Runs.Count));
        var run = Hub.State.Runs.Single(r => r.Id != "p1");
        Assert.Equal("p1", run.ParentRunId);
        Assert.Equal("classic", run.Options["generation_mode"].GetString());
    }

    [Fact]
    public void A_real_backend_is_preselected_over_a_demo_one()
    {
        var cut = Render<StartRun>();

        Assert.Equal("codegen", cut.Find("#field-backend").GetAttribute("value"));
        Assert.DoesNotContain("This is a demo backend", cut.Markup, StringComparison.Ordinal);
    }
}
