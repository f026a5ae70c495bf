using Dashboard.Domain;
using Dashboard.Storage;

namespace Dashboard.Tests.Storage;

/// <summary>
/// What keeps the SQLite store's single writer appending: retention runs on it in short slices, so
/// writes go on during a pass, and the write-ahead log is checkpointed beside it.
/// </summary>
public sealed class SqliteWriterTests : IDisposable
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

    [Fact]
    public async Task The_write_ahead_log_is_checkpointed_beside_the_writer_after_its_batches()
    {
        using var store = _harness.Open();
        var checkpointed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.OnCheckpoint(() => checkpointed.TrySetResult());
        var (hub, _) = _harness.Hub(store);
        foreach (var e in StoreHarness.Run("run-a", "prompt", ["a", "b"]))
        {
            hub.Publish(e);
        }

        await store.FlushAsync();
        await checkpointed.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(store.WriterStats.Checkpoints >= 1);
        Assert.Equal(3, (await store.ReplayAsync(0, 100)).Events.Count(e => e.Event is RunTextReceived));
    }

    [Fact]
    public async Task The_queue_drops_an_event_and_records_a_gap_exactly_when_its_estimated_bytes_go_over_the_budget()
    {
        using var store = _harness.Open();
        // The writer is held inside its first batch's report, so what is recorded next stays queued.
        using var release = new ManualResetEventSlim();
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.WriterSteps = step =>
        {
            if (step == SqliteHistoryStore.WriterStep.Batch && held.TrySetResult())
            {
                release.Wait(TimeSpan.FromSeconds(30));
            }
        };
        var first = Record(store, Text("first"));
        await held.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var text = Text(new string('x', 1000));
        store.EventQueueBytes = 3 * QueuedEventSize.Of(text);
        var sequences = Enumerable.Range(0, 5).Select(_ => Record(store, text)).ToList();

        // Three fill the budget to the byte; the fourth and fifth would go over it.
        Assert.Equal(2, store.DroppedEvents);
        Assert.Equal(3, store.WriterStats.PeakQueuedEvents);
        Assert.Equal(3 * QueuedEventSize.Of(text), store.WriterStats.PeakQueuedBytes);
        store.WriterSteps = null;
        release.Set();
        await store.FlushAsync();

        var stored = (await store.ReplayAsync(0, 100)).Events.Select(e => e.Sequence).ToList();
        Assert.Equal([first, .. sequences.Take(3)], stored);
        Assert.False((await store.ReplayAsync(0, 4)).Gap);
        Assert.True((await store.ReplayAsync(sequences[2], 100)).Gap);

        // Written, the queue has room again.
        Record(store, text);
        Assert.Equal(2, store.DroppedEvents);
    }

    private static RunTextReceived Text(string text) =>
        new() { Backend = "alpha", At = StoreHarness.At(0), RunId = "run", Text = text };

    private static long Record(SqliteHistoryStore store, DashboardEvent e)
    {
        var sequence = store.NextSequence();
        store.Record(new Dashboard.Events.SequencedEvent(sequence, e));
        return sequence;
    }
}
