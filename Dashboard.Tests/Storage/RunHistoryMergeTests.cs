using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.State;
using Dashboard.Storage;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.Storage;

/// <summary>How the run list merges memory and the store when the store is behind (a run ended on another replica).</summary>
public sealed class RunHistoryMergeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_run_that_ended_here_but_is_not_stored_yet_is_listed_on_the_first_page_as_ended()
    {
        var options = Options.Create(new DashboardOptions());
        var state = new DashboardState(options);
        // Memory saw the run start and end; the store (another replica's writer) has nothing yet.
        var store = new MemoryHistoryStore(TimeProvider.System, 100, 100);
        state.Apply(new RunCreated { Backend = "gen", At = T0, RunId = "r1", Prompt = "build it" }, 1);
        state.Apply(new RunEnded { Backend = "gen", At = T0.AddSeconds(5), RunId = "r1", Status = RunStatus.Completed }, 2);
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(T0.AddSeconds(10));
        var history = new RunHistory(state, store, clock);

        var page = await history.QueryAsync(new RunQuery { Limit = 10 });

        var item = Assert.Single(page.Items);
        Assert.Equal("r1", item.Run.Id);
        Assert.Equal(RunStatus.Completed, item.Run.Status);

        // Filters still apply to it.
        var running = await history.QueryAsync(new RunQuery { Limit = 10, Statuses = [RunStatus.Running] });
        Assert.Empty(running.Items);

        // A minute on, memory no longer stands in for the store: the row is the store's to give.
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Empty((await history.QueryAsync(new RunQuery { Limit = 10 })).Items);
    }

    [Fact]
    public async Task A_run_that_ends_while_the_list_is_merged_is_listed_once()
    {
        var state = new DashboardState(Options.Create(new DashboardOptions()));
        state.Apply(new RunCreated { Backend = "gen", At = T0, RunId = "r1", Prompt = "build it" }, 1);
        // The run ends right after memory is first read, before the store has written it.
        var racing = new EndsAfterFirstRead(state, new RunEnded { Backend = "gen", At = T0.AddSeconds(5), RunId = "r1", Status = RunStatus.Completed });
        var store = new MemoryHistoryStore(TimeProvider.System, 100, 100);
        var history = new RunHistory(racing, store, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(T0.AddSeconds(10)));

        var page = await history.QueryAsync(new RunQuery { Limit = 10 });

        Assert.True(racing.Ended, "the run must end during the merge for this test to mean anything");
        Assert.Equal("r1", Assert.Single(page.Items).Run.Id);
    }

    /// <summary>Memory as another thread changes it: the run ends the moment its run list is first read.</summary>
    private sealed class EndsAfterFirstRead(DashboardState inner, RunEnded end) : IDashboardState
    {
        public bool Ended { get; private set; }

        public IReadOnlyList<RunView> Runs
        {
            get
            {
                var runs = inner.Runs;
                if (!Ended)
                {
                    Ended = true;
                    inner.Apply(end, 2);
                }

                return runs;
            }
        }

        public IReadOnlyList<GraphView> Graphs => inner.Graphs;

        public GraphView? GetGraph(string backend) => inner.GetGraph(backend);

        public RunView? GetRun(string runId) => inner.GetRun(runId);

        public IReadOnlyList<BackendHealth> Backends => inner.Backends;

        public BackendHealth? GetBackend(string name) => inner.GetBackend(name);
    }
}
