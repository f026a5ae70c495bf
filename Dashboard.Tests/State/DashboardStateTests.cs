using System.Text.Json;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.State;
using Microsoft.Extensions.Options;
using static Dashboard.Tests.State.Events;

namespace Dashboard.Tests.State;

public sealed class DashboardStateTests
{
    private readonly DashboardOptions _options = new();
    private DashboardState? _state;
    private long _sequence;

    private DashboardState State => _state ??= new DashboardState(Options.Create(_options));

    private void Apply(params DashboardEvent[] events)
    {
        foreach (var e in events)
        {
            State.Apply(e, ++_sequence);
        }
    }

    private RunView Run(string id) => State.GetRun(id) ?? throw new InvalidOperationException($"no run {id}");

    // Graph

    [Fact]
    public void Graph_edges_keep_the_time_of_the_snapshot_that_carried_them()
    {
        Apply(Graph(10, edges: 40, at: T0), Graph(12, edges: null, at: T0.AddSeconds(5)));

        var graph = State.GetGraph("dreamer")!;
        Assert.Equal((T0.AddSeconds(5), (DateTimeOffset?)T0), (graph.UpdatedAt, graph.EdgesUpdatedAt));

        Apply(Graph(12, edges: 45, at: T0.AddSeconds(9)));
        Assert.Equal(T0.AddSeconds(9), State.GetGraph("dreamer")!.EdgesUpdatedAt);
    }

    [Fact]
    public void Graph_without_any_snapshot_has_no_edge_time()
    {
        Apply(Graph(12, edges: null, at: T0));

        Assert.Null(State.GetGraph("dreamer")!.EdgesUpdatedAt);
    }

    // Reconnects

    [Fact]
    public void A_stream_reconnect_is_a_marker_and_leaves_stage_and_progress_alone()
    {
        Apply(
            Created("r1"),
            Stage("r1", "llm_generation", T0.AddSeconds(1), progress: 0.46),
            new RunStreamReconnected { Backend = "codegen", At = T0.AddSeconds(3), RunId = "r1" });

        var run = Run("r1");
        Assert.Equal(["llm_generation"], run.Timeline.Select(t => t.Stage));
        Assert.Equal(("llm_generation", (double?)0.46), (run.Stage, run.Progress));
        Assert.Equal([T0.AddSeconds(3)], run.Reconnects);
        Assert.Equal(1, run.ReconnectCount);
    }

    [Fact]
    public void Reconnect_markers_are_bounded_and_still_counted()
    {
        Apply(Created("r1"));
        var total = DashboardState.MaxReconnectMarkers + 5;
        for (var i = 0; i < total; i++)
        {
            Apply(new RunStreamReconnected { Backend = "codegen", At = T0.AddSeconds(i), RunId = "r1" });
        }

        var run = Run("r1");
        Assert.Equal(DashboardState.MaxReconnectMarkers, run.Reconnects.Count);
        Assert.Equal(T0.AddSeconds(5), run.Reconnects[0]);
        Assert.Equal(T0.AddSeconds(total - 1), run.Reconnects[^1]);
        Assert.Equal(total, run.ReconnectCount);
    }

    [Fact]
    public void Graph_takes_counts_and_keeps_last_known_edges_when_an_update_has_none()
    {
        Apply(Graph(10, edges: 40, at: T0), Graph(12, edges: null, at: T0.AddSeconds(5)));

        var graph = State.GetGraph("dreamer")!;
        Assert.Equal(12, graph.Nodes);
        Assert.Equal(40, graph.Edges);
        Assert.Equal(0.5, graph.AvgEntanglement);
        Assert.Equal(12, graph.Tiers["HOT"]);
        Assert.Equal(12, graph.Types["concept"]);
        Assert.Equal(T0.AddSeconds(5), graph.UpdatedAt);
        Assert.Equal([new GraphPoint(T0, 10), new GraphPoint(T0.AddSeconds(5), 12)], graph.History);
        Assert.False(graph.HistoryTruncated);
    }

    [Fact]
    public void Graph_edges_follow_a_new_value()
    {
        Apply(Graph(10, edges: 40), Graph(11, edges: null), Graph(12, edges: 45));

        Assert.Equal(45, State.GetGraph("dreamer")!.Edges);
    }

    [Fact]
    public void Graph_history_is_bounded_dropping_oldest_and_says_so()
    {
        _options.Limits.GraphHistoryPoints = 3;
        for (var i = 1; i <= 5; i++)
        {
            Apply(Graph(i, at: T0.AddSeconds(i)));
        }

        var graph = State.GetGraph("dreamer")!;
        Assert.Equal([3, 4, 5], graph.History.Select(p => p.Nodes));
        Assert.True(graph.HistoryTruncated);
    }

    [Fact]
    public void Graphs_are_kept_per_backend()
    {
        Apply(Graph(1, backend: "a"), Graph(2, backend: "b"), Graph(3, backend: "a"));

        Assert.Equal(["a", "b"], State.Graphs.Select(g => g.Backend));
        Assert.Equal(3, State.GetGraph("a")!.Nodes);
        Assert.Equal(2, State.GetGraph("b")!.Nodes);
        Assert.Null(State.GetGraph("c"));
    }

    // Runs: lifecycle

    [Fact]
    public void Created_run_is_pending_with_its_request()
    {
        var options = new Dictionary<string, JsonElement> { ["tech_stack"] = JsonDocument.Parse("\"dotnet\"").RootElement };
        Apply(new RunCreated { Backend = "codegen", At = T0, RunId = "r1", Prompt = "p", ParentRunId = "r0", Options = options });

        var run = Run("r1");
        Assert.Equal(RunStatus.Pending, run.Status);
        Assert.Equal("codegen", run.Backend);
        Assert.Equal("p", run.Prompt);
        Assert.Equal("r0", run.ParentRunId);
        Assert.Equal("dotnet", run.Options["tech_stack"].GetString());
        Assert.Equal(T0, run.StartedAt);
        Assert.Null(run.EndedAt);
        Assert.Empty(run.Timeline);
    }

    [Fact]
    public void First_stage_makes_the_run_running_and_builds_the_timeline()
    {
        Apply(
            Created("r1"),
            Stage("r1", "plan", T0.AddSeconds(1), progress: 0.1),
            Stage("r1", "code", T0.AddSeconds(2), progress: null, status: StageStatus.Warning));

        var run = Run("r1");
        Assert.Equal(RunStatus.Running, run.Status);
        Assert.Equal("code", run.Stage);
        Assert.Equal(0.1, run.Progress);
        Assert.Equal(
            [new TimelineEntry("plan", StageStatus.Running, "plan message", 0.1, T0.AddSeconds(1)), new TimelineEntry("code", StageStatus.Warning, "code message", null, T0.AddSeconds(2))],
            run.Timeline);
    }

    [Theory]
    [InlineData(1.7, 1.0)]
    [InlineData(-0.2, 0.0)]
    [InlineData(0.42, 0.42)]
    public void Progress_is_clamped(double reported, double expected)
    {
        Apply(Created("r1"), Stage("r1", "s", progress: reported));

        Assert.Equal(expected, Run("r1").Progress);
        Assert.Equal(expected, Run("r1").Timeline[0].Progress);
    }

    [Fact]
    public void Nan_progress_is_not_taken()
    {
        Apply(Created("r1"), Stage("r1", "a", progress: 0.3), Stage("r1", "b", progress: double.NaN));

        Assert.Equal(0.3, Run("r1").Progress);
    }

    [Fact]
    public void First_text_makes_the_run_running_and_appends()
    {
        Apply(Created("r1"), Text("r1", "Hello"), Text("r1", ", world"));

        var run = Run("r1");
        Assert.Equal(RunStatus.Running, run.Status);
        Assert.Equal("Hello, world", run.Text.ToString());
        Assert.Equal(0, run.Thinking.Length);
    }

    [Fact]
    public void Replace_that_rewrites_starts_a_new_generation_and_thinking_is_separate()
    {
        Apply(
            Created("r1"),
            Text("r1", "draft", TextMode.Replace),
            Text("r1", "draft two", TextMode.Replace),
            Text("r1", "final", TextMode.Replace),
            Text("r1", "hmm", channel: TextChannel.Thinking));

        var run = Run("r1");
        Assert.Equal("final", run.Text.ToString());
        Assert.Equal(1, run.Text.Generation);
        Assert.Equal("hmm", run.Thinking.ToString());
    }

    [Fact]
    public void Text_is_bounded_by_options()
    {
        _options.Limits.MaxRunTextChars = 5;
        Apply(Created("r1"), Text("r1", "abcdefgh"));

        Assert.Equal("abcde", Run("r1").Text.ToString());
        Assert.True(Run("r1").Text.Truncated);
    }

    [Fact]
    public void Tool_calls_take_latest_non_null_fields_and_append_arguments()
    {
        Apply(
            Created("r1"),
            new RunToolCallUpdated { Backend = "b", At = T0, RunId = "r1", ToolCallId = "t1", Name = "search", ArgumentsDelta = "{\"q\":" },
            new RunToolCallUpdated { Backend = "b", At = T0, RunId = "r1", ToolCallId = "t2", Name = "fetch" },
            new RunToolCallUpdated { Backend = "b", At = T0, RunId = "r1", ToolCallId = "t1", ArgumentsDelta = "\"x\"}", Status = "done", Detail = "3 hits" });

        var run = Run("r1");
        Assert.Equal(RunStatus.Running, run.Status);
        Assert.Equal([new ToolCallView("t1", "search", "{\"q\":\"x\"}", "done", "3 hits"), new ToolCallView("t2", "fetch", "", null, null)], run.ToolCalls);
    }

    [Fact]
    public void Usage_merges_non_null_fields_and_metadata_merges_keys()
    {
        Apply(
            Created("r1"),
            new RunUsageReported { Backend = "b", At = T0, RunId = "r1", Usage = new Usage(10, null, null) },
            new RunUsageReported { Backend = "b", At = T0, RunId = "r1", Usage = new Usage(null, 20, 30) },
            new RunMetadataReported { Backend = "b", At = T0, RunId = "r1", Metadata = new Dictionary<string, string> { ["file"] = "a.py", ["lang"] = "py" } },
            new RunMetadataReported { Backend = "b", At = T0, RunId = "r1", Metadata = new Dictionary<string, string> { ["file"] = "b.py" } },
            new RunUpstreamIdAssigned { Backend = "b", At = T0, RunId = "r1", UpstreamId = "gen-42" });

        var run = Run("r1");
        Assert.Equal(new Usage(10, 20, 30), run.Usage);
        Assert.Equal(new Dictionary<string, string> { ["file"] = "b.py", ["lang"] = "py" }, run.Metadata);
        Assert.Equal("gen-42", run.UpstreamId);
    }

    [Fact]
    public void Completed_run_ends_with_full_progress()
    {
        Apply(Created("r1"), Stage("r1", "code", progress: 0.6), Ended("r1", at: T0.AddSeconds(9)));

        var run = Run("r1");
        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(1.0, run.Progress);
        Assert.Equal(T0.AddSeconds(9), run.EndedAt);
        Assert.Null(run.Error);
    }

    [Fact]
    public void Failed_run_keeps_error_and_progress()
    {
        Apply(Created("r1"), Stage("r1", "code", progress: 0.6), Ended("r1", RunStatus.Failed, error: "upstream said no"));

        var run = Run("r1");
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(0.6, run.Progress);
        Assert.Equal("upstream said no", run.Error);
    }

    [Fact]
    public void After_the_end_stage_text_tools_and_status_are_ignored_but_usage_and_metadata_merge()
    {
        Apply(Created("r1"), Text("r1", "answer"), Ended("r1", RunStatus.Cancelled));
        var endedVersion = Run("r1").Version;

        Apply(
            Text("r1", " late"),
            Text("r1", "rewritten", TextMode.Replace),
            Stage("r1", "late stage"),
            new RunToolCallUpdated { Backend = "b", At = T0, RunId = "r1", ToolCallId = "t1" },
            Ended("r1", RunStatus.Completed));

        var run = Run("r1");
        Assert.Equal("answer", run.Text.ToString());
        Assert.Equal(RunStatus.Cancelled, run.Status);
        Assert.Empty(run.Timeline);
        Assert.Empty(run.ToolCalls);
        Assert.Null(run.Stage);
        Assert.Equal(endedVersion, run.Version);
        Assert.Equal(5, State.IgnoredEvents);

        Apply(
            new RunUsageReported { Backend = "b", At = T0, RunId = "r1", Usage = new Usage(1, 2, 3) },
            new RunMetadataReported { Backend = "b", At = T0, RunId = "r1", Metadata = new Dictionary<string, string> { ["k"] = "v" } });
        Assert.Equal(new Usage(1, 2, 3), Run("r1").Usage);
        Assert.Equal("v", Run("r1").Metadata["k"]);
    }

    [Fact]
    public void End_with_a_non_terminal_status_is_ignored()
    {
        Apply(Created("r1"), Ended("r1", RunStatus.Running));

        Assert.Equal(RunStatus.Pending, Run("r1").Status);
        Assert.Null(Run("r1").EndedAt);
        Assert.Equal(1, State.IgnoredEvents);
    }

    [Fact]
    public void Events_for_unknown_runs_are_ignored_and_counted()
    {
        Apply(Text("ghost", "boo"), Stage("ghost", "s"), Ended("ghost"));

        Assert.Empty(State.Runs);
        Assert.Equal(3, State.UnknownRunEvents);
    }

    [Fact]
    public void Duplicate_creation_keeps_the_first_run()
    {
        Apply(Created("r1"), Text("r1", "kept"), Created("r1", backend: "other"));

        Assert.Equal("codegen", Run("r1").Backend);
        Assert.Equal("kept", Run("r1").Text.ToString());
        Assert.Single(State.Runs);
        Assert.Equal(1, State.IgnoredEvents);
    }

    // Runs: bounds, order, caching

    [Fact]
    public void Runs_are_newest_first()
    {
        Apply(Created("a"), Created("b"), Created("c"), Text("a", "x"));

        Assert.Equal(["c", "b", "a"], State.Runs.Select(r => r.Id));
    }

    [Fact]
    public void Eviction_removes_the_oldest_finished_run_before_any_live_one()
    {
        _options.Limits.MaxRuns = 3;
        Apply(Created("live-old"), Stage("live-old", "s"), Created("done-1"), Ended("done-1"), Created("done-2"), Ended("done-2", RunStatus.Failed));

        Apply(Created("new-1"));
        Assert.Equal(["new-1", "done-2", "live-old"], State.Runs.Select(r => r.Id));

        Apply(Created("new-2"));
        Assert.Equal(["new-2", "new-1", "live-old"], State.Runs.Select(r => r.Id));
        Assert.Null(State.GetRun("done-1"));
        Assert.Equal(2, State.EvictedRuns);
    }

    [Fact]
    public void When_every_run_is_live_the_oldest_is_evicted()
    {
        _options.Limits.MaxRuns = 2;
        Apply(Created("a"), Created("b"), Stage("b", "s"), Created("c"));

        Assert.Equal(["c", "b"], State.Runs.Select(r => r.Id));
        Apply(Text("a", "late"));
        Assert.Equal(1, State.UnknownRunEvents);
    }

    [Fact]
    public void Timeline_is_bounded_dropping_oldest_and_says_so()
    {
        Apply(Created("r1"));
        for (var i = 0; i < DashboardState.MaxTimelineEntries + 2; i++)
        {
            Apply(Stage("r1", $"s{i}"));
        }

        var run = Run("r1");
        Assert.Equal(DashboardState.MaxTimelineEntries, run.Timeline.Count);
        Assert.Equal("s2", run.Timeline[0].Stage);
        Assert.Equal($"s{DashboardState.MaxTimelineEntries + 1}", run.Timeline[^1].Stage);
        Assert.True(run.TimelineTruncated);
    }

    [Fact]
    public void Run_view_is_cached_until_the_run_changes_and_version_is_the_hub_sequence()
    {
        Apply(Created("r1"), Created("r2"));
        var first = Run("r1");
        Assert.Same(first, Run("r1"));
        Assert.Equal(1, first.Version);

        Apply(Stage("r2", "other run"));
        Assert.Same(first, Run("r1"));
        Assert.Same(first, State.Runs.Single(r => r.Id == "r1"));

        Apply(Stage("r1", "s"));
        var second = Run("r1");
        Assert.NotSame(first, second);
        Assert.Equal(4, second.Version);
        Assert.Empty(first.Timeline);
        Assert.Single(second.Timeline);
    }

    [Fact]
    public void Views_already_handed_out_do_not_change()
    {
        Apply(Created("r1"), Stage("r1", "a"), new RunMetadataReported { Backend = "b", At = T0, RunId = "r1", Metadata = new Dictionary<string, string> { ["k"] = "1" } });
        var before = Run("r1");

        Apply(Stage("r1", "b"), new RunMetadataReported { Backend = "b", At = T0, RunId = "r1", Metadata = new Dictionary<string, string> { ["k"] = "2" } });

        Assert.Single(before.Timeline);
        Assert.Equal("a", before.Stage);
        Assert.Equal("1", before.Metadata["k"]);
    }

    // Backends

    [Fact]
    public void Backends_keep_the_latest_health_per_name()
    {
        static BackendHealthChanged Health(string name, BackendState state) =>
            new() { Backend = name, At = T0, Health = new BackendHealth(name, "sse", state, null, 0, 0, 0, 0, null, false) };

        Apply(Health("a", BackendState.Connecting), Health("b", BackendState.Connecting), Health("a", BackendState.Connected));

        Assert.Equal([("a", BackendState.Connected), ("b", BackendState.Connecting)], State.Backends.Select(b => (b.Name, b.State)));
        Assert.Equal(BackendState.Connected, State.GetBackend("a")!.State);
        Assert.Null(State.GetBackend("c"));
    }

    [Fact]
    public void Last_sequence_follows_applied_events()
    {
        Apply(Graph(1), Created("r1"));

        Assert.Equal(2, State.LastSequence);
    }
}
