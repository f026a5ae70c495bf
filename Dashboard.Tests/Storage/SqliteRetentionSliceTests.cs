using Dashboard.Domain;
using Dashboard.Storage;

namespace Dashboard.Tests.Storage;

/// <summary>Retention on the SQLite store runs on its writer in short slices, so writes go on during a pass.</summary>
public sealed class SqliteRetentionSliceTests : IDisposable
{
    private readonly StoreHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_pass_removes_old_events_a_slice_at_a_time_and_events_recorded_during_it_are_written_between_its_slices()
    {
        using var store = _harness.Open();
        store.RetentionSlice = 10;
        var (hub, _) = _harness.Hub(store);
        for (var i = 0; i < 6; i++)
        {
            foreach (var e in StoreHarness.Run($"old-{i}", "prompt", ["a", "b", "c", "d"], start: i * 10))
            {
                hub.Publish(e);
            }
        }

        await store.FlushAsync();
        var old = (await store.ReplayAsync(0, 10_000)).Events.Count;
        Assert.True(old > 3 * store.RetentionSlice, $"{old} events");

        // Two days later every event above is older than the replay window (a day); the late run is not.
        var now = StoreHarness.At(0).AddDays(2);
        var late = StoreHarness.Run("late", "prompt", ["x", "y"], start: 2 * 86_400).ToList();
        var steps = new List<SqliteHistoryStore.WriterStep>();
        store.WriterSteps = step =>
        {
            lock (steps)
            {
                steps.Add(step);
                // The writer's own thread, in the middle of the pass: events arrive as ingest would send them.
                if (step == SqliteHistoryStore.WriterStep.RetentionSlice && steps.Count(s => s == step) == 1)
                {
                    foreach (var e in late)
                    {
                        hub.Publish(e);
                    }
                }
            }
        };

        var removed = await Task.Run(() => store.EnforceRetention(now));
        store.WriterSteps = null;

        Assert.Equal(old, removed.Events);
        Assert.Equal(0, removed.Runs);
        SqliteHistoryStore.WriterStep[] seen;
        lock (steps)
        {
            seen = [.. steps];
        }

        var firstSlice = Array.IndexOf(seen, SqliteHistoryStore.WriterStep.RetentionSlice);
        var lastSlice = Array.LastIndexOf(seen, SqliteHistoryStore.WriterStep.RetentionSlice);
        var batchBetween = Array.IndexOf(seen, SqliteHistoryStore.WriterStep.Batch, firstSlice + 1);
        Assert.InRange(batchBetween, firstSlice + 1, lastSlice - 1);
        Assert.True(seen.Count(s => s == SqliteHistoryStore.WriterStep.RetentionSlice) > old / store.RetentionSlice, string.Join(",", seen));

        // Only the late run's events are left, every one of them.
        await store.FlushAsync();
        var left = (await store.ReplayAsync(0, 10_000)).Events;
        Assert.Equal(late.Count, left.Count);
        Assert.All(left, e => Assert.Equal("late", ((RunEvent)e.Event).RunId));
        Assert.Equal(seen.Count(s => s == SqliteHistoryStore.WriterStep.RetentionSlice), store.WriterStats.RetentionSlices);
    }
}
