using AngleSharp.Dom;
using Bunit;
using Dashboard.Backends;
using Dashboard.Backends.Codegen;
using Dashboard.Backends.Llm;
using Dashboard.Components.Pages;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Runs;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Components;

/// <summary>The run page's timeline: one row per stage visit, fed through the real hub and state.</summary>
public sealed class RunTimelineTests : LiveTestContext
{
    public RunTimelineTests() =>
        Services.AddSingleton<IRunLauncher>(sp => new TestRunLauncher(
            sp.GetRequiredService<Dashboard.Events.IEventHub>(), Time, [new RunBackend("codegen", "codegen", false, [])], _ => []));

    private RunStageReported Stage(string stage, double at, StageStatus status = StageStatus.Running, string? message = null, double? progress = null) =>
        new() { Backend = "codegen", At = At(at), RunId = "r1", Stage = stage, Status = status, Message = message, Progress = progress };

    private RunEnded Ended(double at, RunStatus status, string? error = null) =>
        new() { Backend = "codegen", At = At(at), RunId = "r1", Status = status, Error = error };

    private IRenderedComponent<RunDetail> OpenRun()
    {
        Publish(new RunCreated { Backend = "codegen", At = T0, RunId = "r1", Prompt = "Build a todo app" });
        return Render<RunDetail>(p => p.Add(x => x.Id, "r1"));
    }

    private static IReadOnlyList<IElement> Rows(IRenderedComponent<RunDetail> cut) => cut.FindAll(".run-timeline tbody tr");

    private static string Cell(IElement row, int index) => row.Children[index].TextContent.Trim();

    private static string Message(IElement row) => row.QuerySelector(".timeline-message")?.TextContent ?? "";

    [Fact]
    public void Repeated_updates_of_a_stage_are_one_row_with_its_latest_status_message_and_progress()
    {
        var cut = OpenRun();

        Publish(
            Stage("plan", 1, message: "Planning", progress: 0.1),
            Stage("llm_generation", 3, message: "Sending request", progress: 0.4),
            Stage("llm_generation", 4, message: "Streaming", progress: 0.45),
            Stage("llm_generation", 6, progress: 0.5),
            Stage("llm_generation", 8, StageStatus.Completed, "Answer received"),
            Stage("parsing", 10, message: "Parsing files", progress: 0.7));

        cut.WaitForAssertion(() => Assert.Equal(["plan", "llm_generation", "parsing"], Rows(cut).Select(r => r.GetAttribute("data-stage"))));
        var llm = Rows(cut)[1];
        Assert.Equal(LocalClock(3), Cell(llm, 0));
        Assert.Equal("7 s", Cell(llm, 1));
        Assert.Equal("completed", llm.GetAttribute("data-stage-status"));
        Assert.Equal("completed", llm.QuerySelector(".mud-chip")!.TextContent.Trim());
        Assert.Equal("Answer received", Message(llm));
        Assert.Contains("50%", llm.QuerySelector(".timeline-head")!.TextContent.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal("2 s", Cell(Rows(cut)[0], 1));
    }

    [Fact]
    public void A_visits_raw_updates_stay_available_in_its_detail()
    {
        var cut = OpenRun();

        Publish(
            Stage("llm_generation", 1, message: "Sending request", progress: 0.4),
            Stage("llm_generation", 2, message: "Streaming", progress: 0.45),
            Stage("llm_generation", 3, StageStatus.Warning, "Slow upstream"),
            Stage("parsing", 4));

        cut.WaitForAssertion(() => Assert.Equal(2, Rows(cut).Count));
        var detail = Rows(cut)[0].QuerySelector("details.timeline-updates")!;
        Assert.Equal("3 updates", detail.QuerySelector("summary")!.TextContent.Trim());
        Assert.Equal(
            [$"{LocalClock(1)} · running · 40% · Sending request", $"{LocalClock(2)} · running · 45% · Streaming", $"{LocalClock(3)} · warning · Slow upstream"],
            detail.QuerySelectorAll("li").Select(li => li.TextContent.Replace(" %", "%", StringComparison.Ordinal)));
        // A single update needs no detail: the row says it all.
        Assert.Null(Rows(cut)[1].QuerySelector("details"));
    }

    [Fact]
    public void A_stage_entered_again_later_is_a_new_visit()
    {
        var cut = OpenRun();

        Publish(Stage("code", 1), Stage("test", 2), Stage("code", 5), Stage("code", 6));

        cut.WaitForAssertion(() => Assert.Equal(["code", "test", "code"], Rows(cut).Select(r => r.GetAttribute("data-stage"))));
        Assert.Equal("1 s", Cell(Rows(cut)[0], 1));
        Assert.Equal("3 s", Cell(Rows(cut)[1], 1));
    }

    [Fact]
    public void The_current_stage_duration_ticks_with_the_clock_and_stops_when_the_run_ends()
    {
        var cut = OpenRun();
        Publish(Stage("plan", 0), Stage("code", 2));
        Time.Advance(TimeSpan.FromSeconds(3));

        cut.WaitForAssertion(() => Assert.Equal("1 s", Cell(Rows(cut)[1], 1)));
        Assert.NotNull(cut.Find("tr.timeline-current[data-stage='code']"));

        Time.Advance(TimeSpan.FromSeconds(4));
        cut.WaitForAssertion(() => Assert.Equal("5 s", Cell(Rows(cut)[1], 1)));

        Publish(Ended(8, RunStatus.Cancelled));
        Time.Advance(TimeSpan.FromSeconds(30));

        cut.WaitForAssertion(() => Assert.Equal("cancelled", cut.Find("[data-status]").GetAttribute("data-status")));
        Assert.Equal("6 s", Cell(Rows(cut)[1], 1));
        // The run ended while the stage said "running": the row tells how it ended instead.
        Assert.Equal("cancelled", Rows(cut)[1].GetAttribute("data-stage-status"));
        Assert.Empty(cut.FindAll("tr.timeline-current"));
        Assert.Contains("Cancelled", cut.Find("#run-outcome").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stage_left_while_running_is_drawn_as_passed_and_the_current_one_filled()
    {
        var cut = OpenRun();

        Publish(Stage("plan", 0), Stage("code", 1));

        cut.WaitForAssertion(() => Assert.Equal(2, Rows(cut).Count));
        Assert.Contains("mud-chip-outlined", Rows(cut)[0].QuerySelector(".mud-chip")!.ClassName, StringComparison.Ordinal);
        Assert.Contains("mud-chip-filled", Rows(cut)[1].QuerySelector(".mud-chip")!.ClassName, StringComparison.Ordinal);
    }

    [Fact]
    public void An_llm_request_running_then_completed_is_one_row()
    {
        var cut = OpenRun();

        Publish(
            Stage(LlmStages.Request, 0),
            Stage(LlmStages.Request, 1, StageStatus.Completed, "stream open after 800 ms"),
            Stage(LlmStages.Streaming, 1),
            Stage(LlmStages.Done, 4, StageStatus.Completed, "stop, after 4 s"),
            Ended(4, RunStatus.Completed));

        cut.WaitForAssertion(() => Assert.Equal([LlmStages.Request, LlmStages.Streaming, LlmStages.Done], Rows(cut).Select(r => r.GetAttribute("data-stage"))));
        Assert.Equal("completed", Rows(cut)[0].GetAttribute("data-stage-status"));
        Assert.Equal("stream open after 800 ms", Message(Rows(cut)[0]));
    }

    [Fact]
    public void A_codegen_stream_of_partial_outputs_is_one_generation_row_and_the_failure_is_on_top()
    {
        var cut = OpenRun();
        var decoder = new CodegenDecoder();
        var context = new DecodeContext("codegen", "r1", Hub, Time);
        var output = "";
        Decode(decoder, context, """{"status":"processing","stage":"llm_generation","progress":0.5,"message":"Generating","timestamp":1}""");
        foreach (var word in new[] { "# Plan", "\n\n- one", "\n- two", "\n- three" })
        {
            output += word;
            Time.Advance(TimeSpan.FromSeconds(1));
            Decode(decoder, context, $$"""{"status":"processing","stage":"llm_generation","progress":0.5,"message":"Generating","partial_output":{{System.Text.Json.JsonSerializer.Serialize(output)}},"timestamp":{{Time.GetUtcNow().ToUnixTimeSeconds()}}}""");
        }

        Decode(decoder, context, """{"status":"failed","stage":"iteration_error","progress":0.5,"message":"Iteration failed: upstream LLM timeout","timestamp":99}""");
        Publish(Ended((Time.GetUtcNow() - T0).TotalSeconds, decoder.Outcome!.Status, decoder.Outcome.Error));

        cut.WaitForAssertion(() => Assert.Equal("failed", cut.Find("[data-status]").GetAttribute("data-status")));
        Assert.Equal(["llm_generation", "iteration_error"], Rows(cut).Select(r => r.GetAttribute("data-stage")));
        Assert.Equal("4 s", Cell(Rows(cut)[0], 1));
        // The decoder reported the stage once: the text updates alone add no timeline entries.
        Assert.Null(Rows(cut)[0].QuerySelector("details"));
        Assert.Equal(["one", "two", "three"], cut.FindAll("#run-output li").Select(li => li.TextContent));
        Assert.Equal("Failed: Iteration failed: upstream LLM timeout.", cut.Find("#run-outcome").TextContent.Trim());
        Assert.Equal("failed", Rows(cut)[1].GetAttribute("data-stage-status"));
    }

    private static void Decode(CodegenDecoder decoder, DecodeContext context, string data) =>
        decoder.Decode(new SseItem(SseItem.DefaultEventType, data, ""), context);

    // Rendered without the layout, the page does not know the browser's zone: times are UTC.
    [Fact]
    public void A_stream_reconnect_is_a_marker_between_the_stages_never_a_stage_row()
    {
        var cut = OpenRun();

        Publish(
            Stage("connected", 0.5, progress: 0),
            Stage("llm_generation", 1, progress: 0.46),
            new RunStreamReconnected { Backend = "codegen", At = At(5), RunId = "r1" },
            Stage("llm_generation", 6, progress: 0.46),
            Stage("parsing", 8, progress: 0.7));

        cut.WaitForAssertion(() => Assert.Equal(
            ["connected", "llm_generation", "reconnect", "parsing"],
            Rows(cut).Select(r => r.GetAttribute("data-stage") ?? (r.HasAttribute("data-reconnect") ? "reconnect" : "?"))));
        var marker = cut.Find(".run-timeline tr[data-reconnect]");
        Assert.Equal(LocalClock(5), Cell(marker, 0));
        Assert.Contains("Stream reconnected", marker.TextContent, StringComparison.Ordinal);
        Assert.Single(cut.FindAll("[data-waterfall-reconnect]"));
        Assert.DoesNotContain(cut.FindAll("[data-waterfall-stage]"), li => li.GetAttribute("data-waterfall-stage") == "reconnect");
    }

    [Fact]
    public void A_reconnect_after_the_last_stage_is_the_last_row()
    {
        var cut = OpenRun();

        Publish(Stage("plan", 1), new RunStreamReconnected { Backend = "codegen", At = At(4), RunId = "r1" });

        cut.WaitForAssertion(() => Assert.Equal(2, Rows(cut).Count));
        Assert.True(Rows(cut)[1].HasAttribute("data-reconnect"));
        Assert.Equal("plan", Rows(cut)[0].GetAttribute("data-stage"));
    }

    private static string LocalClock(double seconds) =>
        T0.AddSeconds(seconds).ToUniversalTime().ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
}
