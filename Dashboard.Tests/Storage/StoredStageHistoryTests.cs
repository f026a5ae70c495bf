using Dashboard.Domain;
using Dashboard.State;
using Dashboard.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Dashboard.Tests.Storage;

/// <summary>Time remaining from the store: its basis survives a restart and is shown.</summary>
public sealed class StoredStageHistoryTests : IDisposable
{
    private readonly StoreHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task After_a_restart_the_estimate_comes_from_the_stored_completed_runs_of_the_same_backend_and_says_how_many()
    {
        using (var store = _harness.Open())
        {
            var (hub, _) = _harness.Hub(store);
            // "generating" starts 1 s after each run's start and the run ends 3 s later.
            for (var i = 0; i < 3; i++)
            {
                foreach (var e in StoreHarness.Run($"done-{i}", "p", ["x"], start: i * 10))
                {
                    hub.Publish(e);
                }
            }

            foreach (var e in StoreHarness.Run("failed", "p", ["x"], RunStatus.Failed, start: 40))
            {
                hub.Publish(e);
            }

            foreach (var e in StoreHarness.Run("elsewhere", "p", ["x"], start: 50, backend: "beta"))
            {
                hub.Publish(e);
            }

            await store.FlushAsync();
        }

        using var reopened = _harness.Open();
        var (again, state) = _harness.Hub(reopened);
        foreach (var e in StoreHarness.Run("live", "p", ["x"], RunStatus.Running, start: 100))
        {
            again.Publish(e);
        }

        var clock = new FakeTimeProvider(StoreHarness.At(101).AddSeconds(1));
        var live = state.GetLiveRun("live")!;
        Assert.Equal(RunStatus.Running, live.Status);
        Assert.DoesNotContain(state.Runs, r => r.Status == RunStatus.Completed);

        var estimate = new RemainingTimeEstimator(clock, new StoredStageHistory(reopened, clock)).Estimate(live, state);

        Assert.Equal(new RemainingTimeEstimate(TimeSpan.FromSeconds(2), 3, false), estimate);
        Assert.Equal("≈ 2 s, from 3 runs", RemainingTimeFormatter.Format(estimate));
        // Without the store, memory alone has no basis after the restart.
        Assert.Equal("unknown", RemainingTimeFormatter.Format(new RemainingTimeEstimator(clock).Estimate(live, state)));
    }

    [Fact]
    public void Without_any_completed_run_the_estimate_is_unknown()
    {
        using var store = _harness.Open();
        var (hub, state) = _harness.Hub(store);
        foreach (var e in StoreHarness.Run("live", "p", ["x"], RunStatus.Running))
        {
            hub.Publish(e);
        }

        var clock = new FakeTimeProvider(StoreHarness.At(2));
        var estimate = new RemainingTimeEstimator(clock, new StoredStageHistory(store, clock)).Estimate(state.GetLiveRun("live")!, state);

        Assert.Equal(RemainingTimeEstimate.Unknown, estimate);
    }
}
