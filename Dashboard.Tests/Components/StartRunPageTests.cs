using System.Text.Json;
using Bunit;
using Dashboard.Backends;
using Dashboard.Backends.Codegen;
using Dashboard.Components.Pages;
using Dashboard.Domain;
using Dashboard.Runs;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Components;

/// <summary>The form with the codegen kind's own option fields and validation rules.</summary>
public sealed class StartRunPageTests : LiveTestContext
{
    private const string ValidPrompt = "Build a todo API with users";

    public StartRunPageTests() =>
        Services.AddSingleton<IRunLauncher>(sp => new TestRunLauncher(
            sp.GetRequiredService<Dashboard.Hub.IEventHub>(),
            Time,
            [new RunBackend("codegen", "codegen", false, CodegenRunOptions.Fields), new RunBackend("demo-chat", "openai-chat", true, [])],
            CodegenRunOptions.Validate));

    private TestRunLauncher Launcher => (TestRunLauncher)Services.GetRequiredService<IRunLauncher>();

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
        Assert.Empty(Launcher.Started);
        Assert.True(cut.Find("#start-submit").HasAttribute("disabled"));
    }

    [Fact]
    public void A_valid_form_starts_the_run_with_its_options_and_opens_the_run()
    {
        var cut = Render<StartRun>();
        cut.Find("textarea").Input(ValidPrompt);

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.EndsWith("/runs/run-1", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal));
        var request = Assert.Single(Launcher.Started);
        Assert.Equal("codegen", request.Backend);
        Assert.Equal(ValidPrompt, request.Prompt);
        Assert.Null(request.ParentRunId);
        Assert.Equal(JsonValueKind.String, request.Options!["generation_mode"].ValueKind);
        Assert.Equal("auto", request.Options["generation_mode"].GetString());
        Assert.False(request.Options.ContainsKey("tech_stack"));
    }

    [Fact]
    public void The_launchers_rejection_is_shown_in_the_form()
    {
        var cut = Render<StartRun>();
        Launcher.NextResult = new StartRunResult(StartRunOutcome.TooManyRuns, null, [new FieldError("backend", "Backend \"codegen\" already has 2 runs in flight.")]);
        cut.Find("textarea").Input(ValidPrompt);

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("too many runs in flight", cut.Find("#form-rejection").TextContent, StringComparison.Ordinal));
        Assert.Contains("already has 2 runs in flight", cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("/runs/", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
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
            new RunEnded { Backend = "codegen", At = T0, RunId = "p1", Status = RunStatus.Completed });

        Services.GetRequiredService<NavigationManager>().NavigateTo("runs/new?parent=p1");
        var cut = Render<StartRun>();
        Assert.Equal("p1", cut.Find("#field-parent").GetAttribute("value"));
        cut.Find("textarea").Input("Add pagination to the list");
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Single(Launcher.Started));
        var request = Launcher.Started[0];
        Assert.Equal("p1", request.ParentRunId);
        Assert.Equal("classic", request.Options!["generation_mode"].GetString());
    }

    [Fact]
    public void A_real_backend_is_preselected_over_a_demo_one()
    {
        var cut = Render<StartRun>();

        Assert.Equal("codegen", cut.Find("#field-backend").GetAttribute("value"));
        Assert.DoesNotContain("This is a demo backend", cut.Markup, StringComparison.Ordinal);
    }
}
