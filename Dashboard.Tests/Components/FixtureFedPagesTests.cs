using Bunit;
using Dashboard.Backends;
using Dashboard.Backends.CodeDreamer;
using Dashboard.Backends.Codegen;
using Dashboard.Components.Pages;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Runs;
using Dashboard.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Components;

/// <summary>Pages fed by the real decoders replaying the shared fixtures into the real hub.</summary>
public sealed class FixtureFedPagesTests : LiveTestContext
{
    public FixtureFedPagesTests() =>
        Services.AddSingleton<IRunLauncher>(sp => new TestRunLauncher(
            sp.GetRequiredService<Dashboard.Events.IEventHub>(), Time, [new RunBackend("codegen", "codegen", false, CodegenRunOptions.Fields)], CodegenRunOptions.Validate));

    private void Replay(IStreamDecoder decoder, string fixture, string backend, string? runId, Action? afterEach = null)
    {
        var context = new DecodeContext(backend, runId, Hub, Time);
        foreach (var item in Fixtures.Items(fixture))
        {
            decoder.Decode(item, context);
            afterEach?.Invoke();
        }
    }

    /// <summary>What the codegen client does with the decoder's outcome.</summary>
    private void End(CodegenDecoder decoder, string runId) =>
        Publish(new RunEnded { Backend = "codegen", At = Time.GetUtcNow(), RunId = runId, Status = decoder.Outcome!.Status, Error = decoder.Outcome.Error });

    [Fact]
    public void Overview_follows_the_codedreamer_stream()
    {
        var cut = Render<Overview>();
        Assert.Contains("No graph stats received yet", cut.Markup, StringComparison.Ordinal);

        Replay(new CodeDreamerDecoder(), "codedreamer-events.sse", "dreamer", null, () => Time.Advance(TimeSpan.FromSeconds(2)));

        cut.WaitForAssertion(() => Assert.Equal("55", cut.Find("[data-graph='dreamer'] [data-stat='Nodes']").TextContent.Trim()));
        var graph = cut.Find("[data-graph='dreamer']");
        Assert.Equal("n/a", graph.QuerySelector("[data-stat='Edges']")!.TextContent.Trim());
        var tiers = graph.QuerySelectorAll("ul.count-bars")[0].QuerySelectorAll(".count-bars-label").Select(l => l.TextContent).ToList();
        Assert.Equal(["HOT", "WARM", "COLD"], tiers);
        Assert.Contains("Nodes over time: 43 → 55 (5 points)", graph.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_page_shows_a_codegen_iteration_stage_by_stage_to_completion()
    {
        var launcher = Services.GetRequiredService<IRunLauncher>();
        var runId = launcher.Start(new RunRequest("codegen", "Add a due date to todos")).RunId!;
        var cut = Render<RunDetail>(p => p.Add(x => x.Id, runId));
        var decoder = new CodegenDecoder();

        Replay(decoder, "codebegen-iteration.sse", "codegen", runId, () => Time.Advance(TimeSpan.FromSeconds(1)));
        End(decoder, runId);

        string[] stages = ["connected", "iteration_start", "intent_detection", "context_building", "iteration_mode", "code_generation",
            "llm_generation", "gemini_processing", "parsing_response", "merging_files", "iteration_complete"];
        cut.WaitForAssertion(() => Assert.Equal("completed", cut.Find("[data-status]").GetAttribute("data-status")));
        Assert.Equal(stages, cut.FindAll(".run-timeline tbody tr").Select(r => r.GetAttribute("data-stage")));
        Assert.StartsWith("Completed in", cut.Find("#run-outcome").TextContent.Trim(), StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("#cancel-run"));
    }

    [Fact]
    public void Run_page_shows_a_failed_codegen_iteration_with_the_upstreams_error()
    {
        var launcher = Services.GetRequiredService<IRunLauncher>();
        var runId = launcher.Start(new RunRequest("codegen", "Add a due date to todos")).RunId!;
        var cut = Render<RunDetail>(p => p.Add(x => x.Id, runId));
        var decoder = new CodegenDecoder();

        Replay(decoder, "codebegen-iteration-failed.sse", "codegen", runId);
        End(decoder, runId);

        cut.WaitForAssertion(() => Assert.Equal("failed", cut.Find("[data-status]").GetAttribute("data-status")));
        Assert.Equal("Failed: Iteration failed: upstream LLM timeout.", cut.Find("#run-outcome").TextContent.Trim());
        Assert.Equal("iteration_error", cut.FindAll(".run-timeline tbody tr")[^1].GetAttribute("data-stage"));
    }

    [Fact]
    public void Runs_page_lists_newest_first_and_filters_by_status()
    {
        var launcher = Services.GetRequiredService<IRunLauncher>();
        var first = launcher.Start(new RunRequest("codegen", "First prompt of all")).RunId!;
        Time.Advance(TimeSpan.FromSeconds(1));
        var second = launcher.Start(new RunRequest("codegen", "Second prompt of all")).RunId!;
        var decoder = new CodegenDecoder();
        Replay(decoder, "codebegen-iteration.sse", "codegen", first);
        End(decoder, first);

        var cut = Render<RunsPage>();

        Assert.Equal([second, first], cut.FindAll(".runs-table tbody tr").Select(r => r.GetAttribute("data-run")));
        Assert.Equal(["pending", "completed"], cut.FindAll(".runs-table [data-status]").Select(c => c.GetAttribute("data-status")));

        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo("runs?status=completed");
        var completed = Render<RunsPage>();
        Assert.Equal([first], completed.FindAll(".runs-table tbody tr").Select(r => r.GetAttribute("data-run")));

        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo("runs?status=active&backend=other");
        Assert.Contains("No run matches the filter.", Render<RunsPage>().Markup, StringComparison.Ordinal);
    }
}
