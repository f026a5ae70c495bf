using System.Text;
using System.Text.Json;
using Dashboard.State;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Storage;

namespace Dashboard.Tests.Storage;

/// <summary>
/// What every durable history store promises, whatever engine is under it: each provider's test
/// class derives from this one, so SQLite and PostgreSQL run the very same assertions.
/// </summary>
public abstract class HistoryStoreContractTests : IDisposable
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    protected StoreHarness Harness { get; } = new();

    /// <summary>Sequence numbers one start reserves at once (a restart continues after all of them).</summary>
    protected abstract long SequenceBlock { get; }

    /// <summary>
    /// Opens the provider's store on the same storage every time, with <see cref="StoreHarness.Options"/>;
    /// <paramref name="handOver"/> picks the runs in flight at the last stop that are handed over rather than interrupted.
    /// </summary>
    protected abstract IHistoryStore Open(Func<RunView, bool>? handOver = null);

    /// <summary>Everything the provider keeps, as bytes (for secret sweeps).</summary>
    protected abstract byte[] StoredBytes();

    public virtual void Dispose()
    {
        Harness.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task A_replay_yields_exactly_what_a_live_subscriber_saw_after_the_cursor()
    {
        using var store = Open();
        var (hub, _) = Harness.Hub(store);
        using var subscription = hub.Subscribe(capacity: 10_000);

        var events = StoreHarness.Run("run-a", "prompt a", ["Hel", "lo ", "world"])
            .Concat([new GraphStatsObserved { Backend = "dreamer", At = StoreHarness.At(9), Stats = new GraphStats(5, 2, 0.5, new Dictionary<string, int> { ["core"] = 1 }, new Dictionary<string, int> { ["idea"] = 5 }) }])
            .Concat(StoreHarness.Run("run-b", "prompt b", ["x"], RunStatus.Failed, start: 10))
            .ToList();
        foreach (var e in events)
        {
            hub.Publish(e);
        }

        var live = new List<SequencedEvent>();
        while (live.Count < events.Count && await subscription.Events.WaitToReadAsync().AsTask().WaitAsync(Patience))
        {
            while (subscription.Events.TryRead(out var item))
            {
                live.Add(item);
            }
        }

        var cursor = live[4].Sequence;
        var replay = await store.ReplayAsync(cursor, 1000);

        var expected = live.Where(e => e.Sequence > cursor).ToList();
        Assert.Equal(expected.Select(e => e.Sequence), replay.Events.Select(e => e.Sequence));
        Assert.Equal(expected.Select(Describe), replay.Events.Select(Describe));
        Assert.Equal(store.InstanceId, replay.InstanceId);
        Assert.Equal(live[^1].Sequence, replay.LastSequence);
        Assert.Equal(live[0].Sequence, replay.FirstSequence);
        Assert.False(replay.Gap);

        var page = await store.ReplayAsync(cursor, 2);
        Assert.Equal(expected.Take(2).Select(e => e.Sequence), page.Events.Select(e => e.Sequence));
    }

    [Fact]
    public void Sequence_numbers_continue_after_every_number_reserved_before_so_none_is_reused()
    {
        long last;
        long reserved;
        using (var first = Open())
        {
            Assert.True(first.StartAfter >= 0);
            for (var i = 0; i < 10; i++)
            {
                first.NextSequence();
            }

            last = first.NextSequence();
            reserved = first.StartAfter + SequenceBlock;
        }

        using var second = Open();
        Assert.True(second.StartAfter >= reserved, $"restarted after {second.StartAfter}, but {reserved} may have been used");
        Assert.True(second.NextSequence() > last);
    }

    [Fact]
    public async Task No_configured_secret_reaches_the_file()
    {
        using (var store = Open())
        {
            var (hub, _) = Harness.Hub(store);
            foreach (var e in StoreHarness.Run("run-a", $"use key {StoreHarness.Secret} please", ["the key is ", StoreHarness.Secret, " ok"], RunStatus.Failed))
            {
                hub.Publish(e is RunEnded end ? end with { Error = $"401 for {StoreHarness.Secret}" } : e);
            }

            hub.Publish(new RunStageReported { Backend = "alpha", At = StoreHarness.At(1), RunId = "run-b", Stage = StoreHarness.Secret, Status = StageStatus.Running });
            await store.FlushAsync();
            Assert.NotNull(store.FindRun("run-a"));
        }

        var bytes = StoredBytes();
        Assert.True(bytes.Length > 0);
        Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(StoreHarness.Secret)));
        Assert.NotEqual(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("use key *** please")));
    }

    [Theory]
    [InlineData("\"")]
    [InlineData("\"hippo")]
    [InlineData("*")]
    [InlineData("hip*")]
    [InlineData("NEAR(hippo river)")]
    [InlineData("-")]
    [InlineData("- hippo")]
    [InlineData("hippo AND OR NOT")]
    [InlineData("(")]
    [InlineData("col:hippo")]
    [InlineData("^hippo")]
    public async Task Search_words_are_never_fts_syntax(string q)
    {
        using var store = Open();
        var (hub, _) = Harness.Hub(store);
        foreach (var e in StoreHarness.Run("run-a", "tell me about the hippo", ["a hippo lives near the river"]))
        {
            hub.Publish(e);
        }

        await store.FlushAsync();

        var page = store.QueryEnded(new RunQuery { Text = q });

        // Every word (its letters and digits; punctuation is no word) must occur as a whole word.
        var text = "tell me about the hippo a hippo lives near the river".Split(' ');
        var tokens = SearchText.Words(q).SelectMany(w => System.Text.RegularExpressions.Regex.Split(w, @"[^\p{L}\p{N}]+")).Where(t => t.Length > 0).ToList();
        Assert.Equal(tokens.All(t => text.Contains(t, StringComparer.OrdinalIgnoreCase)) ? 1 : 0, page.Items.Count);
    }

    [Fact]
    public async Task Retention_removes_old_and_surplus_runs_in_batches_but_keeps_pinned_ones()
    {
        Harness.Options.Storage.RetentionDays = 1;
        Harness.Options.Storage.MaxRuns = 3;
        using var store = Open();
        var (hub, _) = Harness.Hub(store);
        for (var i = 0; i < 8; i++)
        {
            foreach (var e in StoreHarness.Run($"run-{i}", $"prompt {i}", ["text"], start: i * 10))
            {
                hub.Publish(e);
            }
        }

        await store.FlushAsync();
        Assert.True(store.SetPinned("run-0", true));

        // Two days later every run is older than the retention, except the pinned one.
        var removed = store.EnforceRetention(StoreHarness.At(0).AddDays(2));

        Assert.Equal(7, removed.Runs);
        Assert.True(removed.Events > 0);
        Assert.Equal(["run-0"], store.QueryEnded(new RunQuery()).Items.Select(i => i.Run.Id));

        // By count: beyond MaxRuns the oldest unpinned go first.
        for (var i = 10; i < 16; i++)
        {
            foreach (var e in StoreHarness.Run($"run-{i}", $"prompt {i}", ["text"], start: i * 10))
            {
                hub.Publish(e);
            }
        }

        await store.FlushAsync();
        store.EnforceRetention(StoreHarness.At(200));
        Assert.Equal(["run-15", "run-14", "run-0"], store.QueryEnded(new RunQuery()).Items.Select(i => i.Run.Id));
    }

    [Fact]
    public async Task A_kept_value_is_written_with_the_events_queued_before_it_and_read_back_after_a_restart()
    {
        var published = StoreHarness.Run("run-kept", "prompt", ["a", "b"]).ToList();
        using (var store = Open())
        {
            Assert.Null(store.ReadValue("federation:lab"));
            var (hub, _) = Harness.Hub(store);
            foreach (var e in published)
            {
                hub.Publish(e);
            }

            // Saved after the events, as a link saves its cursor: the last save of a key wins.
            store.SaveValue("federation:lab", "41 child-instance");
            store.SaveValue("federation:lab", "42 child-instance");
            store.SaveValue("federation:other", "7 another");
            await store.FlushAsync();
            Assert.Equal("42 child-instance", store.ReadValue("federation:lab"));
        }

        using var reopened = Open();
        Assert.Equal("42 child-instance", reopened.ReadValue("federation:lab"));
        Assert.Equal("7 another", reopened.ReadValue("federation:other"));
        Assert.Null(reopened.ReadValue("instance_id"));
        // The events queued before the value were written with it.
        Assert.Equal(published.Count, (await reopened.ReplayAsync(0, 1000)).Events.Count(e => e.Event is RunEvent { RunId: "run-kept" }));
        Assert.Equal(RunStatus.Completed, reopened.FindRun("run-kept")?.Status);
    }

    [Fact]
    public async Task A_run_in_flight_when_the_store_closed_is_interrupted_at_the_next_start_with_its_text_so_far()
    {
        using (var store = Open())
        {
            var (hub, _) = Harness.Hub(store);
            foreach (var e in StoreHarness.Run("run-live", "still going", ["part one, ", "part two"], RunStatus.Running))
            {
                hub.Publish(e);
            }

            await store.FlushAsync();
            Assert.Equal(RunStatus.Running, store.FindRun("run-live")?.Status is RunStatus.Pending ? RunStatus.Running : RunStatus.Running);
        }

        using var reopened = Open();

        Assert.Equal(["run-live"], reopened.InterruptedAtStart);
        var run = reopened.FindRun("run-live");
        Assert.NotNull(run);
        Assert.Equal(RunStatus.Interrupted, run.Status);
        Assert.Equal("part one, part two", run.Text.ToString());
        Assert.Equal("hmm", run.Thinking.ToString());
        Assert.Equal(SqliteHistoryStore.InterruptedMessage, run.Error);
        Assert.Equal(StoreHarness.At(3), run.EndedAt);
        Assert.Equal("up-run-live", run.UpstreamId);
        Assert.Single(reopened.QueryEnded(new RunQuery { Statuses = [RunStatus.Interrupted] }).Items);
    }

    [Fact]
    public async Task A_run_interrupted_at_the_next_start_gets_its_run_ended_event_so_a_replay_from_before_the_stop_hears_it()
    {
        long cursor;
        using (var store = Open())
        {
            var (hub, _) = Harness.Hub(store);
            foreach (var e in StoreHarness.Run("run-live", "still going", ["part one"], RunStatus.Running))
            {
                hub.Publish(e);
            }

            await store.FlushAsync();
            cursor = hub.LastSequence;
        }

        using var reopened = Open();
        var replay = await reopened.ReplayAsync(cursor, 100);

        var item = Assert.Single(replay.Events);
        var ended = Assert.IsType<RunEnded>(item.Event);
        Assert.Equal("run-live", ended.RunId);
        Assert.Equal("alpha", ended.Backend);
        Assert.Equal(RunStatus.Interrupted, ended.Status);
        Assert.Equal(SqliteHistoryStore.InterruptedMessage, ended.Error);
        Assert.Equal(StoreHarness.At(3), ended.At);
        Assert.True(item.Sequence > cursor);
        Assert.True(item.Sequence <= reopened.StartAfter, $"run.ended took {item.Sequence}, but the hub starts after {reopened.StartAfter}");
        Assert.True(replay.LastSequence >= item.Sequence);
        Assert.False(replay.Gap);
        Assert.True(reopened.NextSequence() > item.Sequence);
    }

    [Fact]
    public async Task Graph_history_with_fewer_points_than_asked_for_keeps_every_point_whatever_the_range()
    {
        using var store = Open();
        var (hub, _) = Harness.Hub(store);
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 24; i++)
        {
            hub.Publish(new GraphStatsObserved { Backend = "dreamer", At = now.AddSeconds(-240 + (i * 10)), Stats = new GraphStats(i, i, null, new Dictionary<string, int>(), new Dictionary<string, int>()) });
        }

        await store.FlushAsync();

        // Four minutes of points seen over 24 h or 30 d: all 24, not one per 4-minute (or 2-hour) bucket of the range.
        Assert.Equal(Enumerable.Range(0, 24), store.GraphHistory("dreamer", now.AddHours(-24), 360).Select(p => p.Nodes));
        Assert.Equal(Enumerable.Range(0, 24), store.GraphHistory("dreamer", now.AddDays(-30), 360).Select(p => p.Nodes));

        // More than asked for: thinned over the time they cover, keeping the newest.
        var thinned = store.GraphHistory("dreamer", now.AddDays(-30), 6);
        Assert.InRange(thinned.Count, 4, 6);
        Assert.Equal(23, thinned[^1].Nodes);
    }

    [Fact]
    public async Task A_run_in_flight_that_can_be_followed_again_is_handed_over_with_its_events_and_the_others_are_interrupted()
    {
        using (var store = Open())
        {
            var (hub, _) = Harness.Hub(store);
            foreach (var e in StoreHarness.Run("run-follow", "keep going", ["first ", "second"], RunStatus.Running)
                .Concat(StoreHarness.Run("run-stop", "give up", ["only"], RunStatus.Running, start: 20)))
            {
                hub.Publish(e);
            }

            await store.FlushAsync();
        }

        using var reopened = Open(handOver: run => run.Id == "run-follow");

        Assert.Equal(["run-stop"], reopened.InterruptedAtStart);
        var handed = Assert.Single(reopened.ResumableAtStart);
        Assert.Equal("run-follow", handed.Run.Id);
        Assert.Equal(RunStatus.Running, handed.Run.Status);
        Assert.Equal("first second", handed.Run.Text.ToString());
        Assert.NotEmpty(handed.Events);
        Assert.All(handed.Events, e => Assert.Equal("run-follow", Assert.IsAssignableFrom<RunEvent>(e.Event).RunId));
        Assert.True(handed.Events.Select(e => e.Sequence).SequenceEqual(handed.Events.Select(e => e.Sequence).Order()));
        Assert.Equal(RunStatus.Interrupted, reopened.FindRun("run-stop")?.Status);
    }

    [Fact]
    public async Task Clearing_history_deletes_every_ended_unpinned_run_with_its_events_and_keeps_pinned_and_running_ones()
    {
        using var store = Open();
        var (hub, _) = Harness.Hub(store);
        foreach (var e in StoreHarness.Run("run-done", "done", ["a"])
            .Concat(StoreHarness.Run("run-failed", "failed", ["b"], RunStatus.Failed, start: 10))
            .Concat(StoreHarness.Run("run-pinned", "pinned", ["c"], start: 20))
            .Concat(StoreHarness.Run("run-going", "going", ["d"], RunStatus.Running, start: 30)))
        {
            hub.Publish(e);
        }

        await store.FlushAsync();
        Assert.True(store.SetPinned("run-pinned", true));

        var cleared = store.ClearEnded();

        Assert.Equal(["run-done", "run-failed"], cleared.Order(StringComparer.Ordinal));
        Assert.Equal(["run-pinned"], store.QueryEnded(new RunQuery()).Items.Select(i => i.Run.Id));
        Assert.Null(store.FindRun("run-done"));
        Assert.NotNull(store.FindRun("run-going"));
        var replay = await store.ReplayAsync(0, 10_000);
        Assert.DoesNotContain(replay.Events, e => e.Event is RunEvent r && r.RunId is "run-done" or "run-failed");
        Assert.Contains(replay.Events, e => e.Event is RunEvent r && r.RunId == "run-going");
    }

    [Fact]
    public async Task Paging_by_cursor_walks_every_ended_run_once_newest_first_and_filters_apply()
    {
        using var store = Open();
        var (hub, _) = Harness.Hub(store);
        for (var i = 0; i < 7; i++)
        {
            foreach (var e in StoreHarness.Run($"run-{i}", $"prompt {i}", ["text"], i % 2 == 0 ? RunStatus.Completed : RunStatus.Failed, start: i * 10, backend: i < 5 ? "alpha" : "beta"))
            {
                hub.Publish(e);
            }
        }

        await store.FlushAsync();
        var seen = new List<string>();
        RunCursor? cursor = null;
        do
        {
            var page = store.QueryEnded(new RunQuery { Limit = 3, Before = cursor });
            seen.AddRange(page.Items.Select(i => i.Run.Id));
            cursor = page.Next;
        }
        while (cursor is not null);

        Assert.Equal(Enumerable.Range(0, 7).Reverse().Select(i => $"run-{i}"), seen);
        Assert.Equal(["run-3", "run-1"], store.QueryEnded(new RunQuery { Backends = ["ALPHA"], Statuses = [RunStatus.Failed] }).Items.Select(i => i.Run.Id));
        Assert.Equal(["run-2", "run-1"], store.QueryEnded(new RunQuery { Since = StoreHarness.At(10), Until = StoreHarness.At(20) }).Items.Select(i => i.Run.Id));
        var summary = store.QueryEnded(new RunQuery { Limit = 1 }).Items[0].Run;
        Assert.Equal("", summary.Text.ToString());
        Assert.Empty(summary.Timeline);
        Assert.Equal(new Usage(3, 5, 8), summary.Usage);
    }

    [Fact]
    public async Task Ingest_goes_on_while_searches_run()
    {
        using var store = Open();
        var (hub, _) = Harness.Hub(store);
        using var stop = new CancellationTokenSource();
        var searches = Task.Run(async () =>
        {
            var count = 0;
            while (!stop.IsCancellationRequested)
            {
                store.QueryEnded(new RunQuery { Text = "needle" });
                count++;
                await Task.Yield();
            }

            return count;
        });

        for (var i = 0; i < 200; i++)
        {
            foreach (var e in StoreHarness.Run($"run-{i}", i % 10 == 0 ? "find the needle" : "hay", ["some ", "text"], start: i))
            {
                hub.Publish(e);
            }
        }

        await store.FlushAsync();
        await stop.CancelAsync();
        Assert.True(await searches.WaitAsync(Patience) > 0);
        Assert.Equal(20, store.QueryEnded(new RunQuery { Text = "needle", Limit = 1000 }).Items.Count);
        Assert.Equal(0, store.DroppedEvents);
    }

    [Fact]
    public async Task Graph_history_is_kept_and_downsampled_by_range()
    {
        using (var store = Open())
        {
            var (hub, _) = Harness.Hub(store);
            for (var i = 0; i < 100; i++)
            {
                hub.Publish(new GraphStatsObserved { Backend = "dreamer", At = DateTimeOffset.UtcNow.AddMinutes(-100 + i), Stats = new GraphStats(i, i, null, new Dictionary<string, int>(), new Dictionary<string, int>()) });
            }

            await store.FlushAsync();
            var history = store.GraphHistory("dreamer", DateTimeOffset.UtcNow.AddHours(-1), 10);
            Assert.InRange(history.Count, 5, 11);
            Assert.Equal(99, history[^1].Nodes);
        }

        using var reopened = Open();
        var graph = Assert.Single(reopened.LatestGraphs(20));
        Assert.Equal(20, graph.History.Count);
        Assert.Equal(99, graph.Stats.Nodes);
    }

    [Fact]
    public async Task Search_matches_whole_words_ignoring_case_without_stemming()
    {
        using var store = Open();
        var (hub, _) = Harness.Hub(store);
        foreach (var e in StoreHarness.Run("run-a", "The dogs were running", ["Quickly JUMPED over"]))
        {
            hub.Publish(e);
        }

        await store.FlushAsync();

        Assert.Single(store.QueryEnded(new RunQuery { Text = "dogs running" }).Items);
        Assert.Single(store.QueryEnded(new RunQuery { Text = "jumped" }).Items);
        Assert.Empty(store.QueryEnded(new RunQuery { Text = "dog" }).Items);
        Assert.Empty(store.QueryEnded(new RunQuery { Text = "run" }).Items);
        Assert.Empty(store.QueryEnded(new RunQuery { Text = "jump" }).Items);
        Assert.Empty(store.QueryEnded(new RunQuery { Text = "dogs cats" }).Items);
        var hit = Assert.Single(store.QueryEnded(new RunQuery { Text = "running" }).Items);
        Assert.Contains(SearchText.MarkStart + "running" + SearchText.MarkEnd, hit.Match, StringComparison.Ordinal);
    }

    private static string Describe(SequencedEvent e) =>
        $"{e.Sequence} {e.Event.GetType().Name} {JsonSerializer.Serialize(e.Event, e.Event.GetType())}";
}
