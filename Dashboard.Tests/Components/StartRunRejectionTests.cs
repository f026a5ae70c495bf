using Dashboard.Domain;
using Bunit;
using Dashboard.Backends;
using Dashboard.Backends.Codegen;
using Dashboard.Components.Pages;
using Dashboard.Runs;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Components;

/// <summary>
/// Outcomes the real manager only gives under load (too many runs in flight) come from a launcher
/// that returns them on demand; the form must show them, not navigate.
/// </summary>
public sealed class StartRunRejectionTests : LiveTestContext
{
    public StartRunRejectionTests() =>
        Services.AddSingleton<IRunLauncher>(sp => new TestRunLauncher(
            sp.GetRequiredService<Dashboard.Events.IEventHub>(), Time,
            [new RunBackend("codegen", "codegen", false, CodegenRunOptions.Fields)], CodegenRunOptions.Validate)
        {
            NextResult = new StartRunResult(StartRunOutcome.TooManyRuns, null, [new FieldError(RunFields.Backend, "Backend \"codegen\" already has 2 runs in flight.")]),
        });

    [Fact]
    public void Too_many_runs_is_shown_in_the_form_and_nothing_opens()
    {
        var cut = Render<StartRun>();
        cut.Find("textarea").Input("Build a todo API with users");

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("too many runs in flight", cut.Find("#form-rejection").TextContent, StringComparison.Ordinal));
        Assert.Contains("already has 2 runs in flight", cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("/runs/", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
        Assert.Equal("Start", cut.Find("#start-submit").TextContent.Trim());
    }
}
