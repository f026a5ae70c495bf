using System.Text;
using Dashboard.Configuration;
using Dashboard.State;
using Dashboard.Domain;
using Dashboard.Storage;
using Dashboard.Tests.TestSupport;
using Microsoft.Data.Sqlite;

namespace Dashboard.Tests.Storage;

/// <summary>The store contract on SQLite, and what only a file can go through.</summary>
public sealed class SqliteHistoryStoreTests : HistoryStoreContractTests
{
    protected override long SequenceBlock => SqliteHistoryStore.SequenceBlock;

    protected override IHistoryStore Open(Func<RunView, bool>? handOver = null) => Harness.Open(resume: handOver);

    protected override byte[] StoredBytes() => Harness.AllBytes();

    [Fact]
    public void A_new_file_is_created_owner_only_in_wal_mode_at_the_current_schema()
    {
        using (var store = Harness.Open())
        {
            Assert.True(store.IsDurable);
            Assert.Equal(Harness.Path, store.Location);
            Assert.Matches("^[0-9a-f]{16}$", store.InstanceId);
        }

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Harness.Path));
        }

        using var connection = new SqliteConnection($"Data Source={Harness.Path};Pooling=False");
        connection.Open();
        Assert.Equal("wal", SqliteSchema.Scalar(connection, "PRAGMA journal_mode;"));
        Assert.Equal((long)SqliteSchema.Current, SqliteSchema.Scalar(connection, "PRAGMA user_version;"));
        Assert.Equal(2L, SqliteSchema.Scalar(connection, "PRAGMA auto_vacuum;"));
    }

    [Fact]
    public void A_second_store_on_the_same_file_is_refused_with_the_path_and_the_key()
    {
        using var first = Harness.Open();

        var error = Assert.Throws<StoreRefusedException>(() => Harness.Open());

        Assert.Contains(Harness.Path, error.Message, StringComparison.Ordinal);
        Assert.Contains("Dashboard:Storage:Path", error.Message, StringComparison.Ordinal);
        Assert.Contains("Another Dashboard process", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task A_start_that_overlaps_the_previous_process_closing_the_file_waits_for_it_instead_of_being_refused()
    {
        var first = Harness.Open();
        var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The second start asks while the first still holds the file; the first lets go afterwards.
        var second = Task.Run(() =>
        {
            opened.SetResult();
            return Harness.Open();
        });
        await opened.Task;
        first.Dispose();

        using var store = await second.WaitAsync(SqliteStoreFile.LockWait * 3);
        Assert.Equal(StorageOptions.Sqlite, store.Provider);
    }

    [Fact]
    public void A_file_from_a_newer_version_is_refused_and_left_untouched()
    {
        using (var connection = new SqliteConnection($"Data Source={Harness.Path};Pooling=False"))
        {
            connection.Open();
            SqliteSchema.Execute(connection, "CREATE TABLE future (x INTEGER); PRAGMA user_version = 99;");
        }

        var before = File.ReadAllBytes(Harness.Path);

        var error = Assert.Throws<StoreRefusedException>(() => Harness.Open());

        Assert.Contains("newer Dashboard", error.Message, StringComparison.Ordinal);
        Assert.Contains(Harness.Path, error.Message, StringComparison.Ordinal);
        Assert.Contains("Dashboard:Storage:Path", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(Harness.Path));
    }

    [Fact]
    public void A_corrupt_file_is_refused_and_left_untouched()
    {
        var garbage = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("this is not a database at all. ", 200)));
        File.WriteAllBytes(Harness.Path, garbage);

        var error = Assert.Throws<StoreRefusedException>(() => Harness.Open());

        Assert.Contains("damaged", error.Message, StringComparison.Ordinal);
        Assert.Contains(Harness.Path, error.Message, StringComparison.Ordinal);
        Assert.Contains("Dashboard:Storage:Path", error.Message, StringComparison.Ordinal);
        Assert.Equal(garbage, File.ReadAllBytes(Harness.Path));
    }

    [Fact]
    public void A_damaged_page_inside_a_real_file_fails_quick_check_and_is_refused()
    {
        using (var store = Harness.Open())
        {
            var (hub, _) = Harness.Hub(store);
            foreach (var e in StoreHarness.Run("run-a", "prompt", [.. Enumerable.Range(0, 2000).Select(i => $"delta {i} ")]))
            {
                hub.Publish(e);
            }
        }

        // Overwrite the middle of the file (table pages) with noise, keeping the header valid.
        var bytes = File.ReadAllBytes(Harness.Path);
        Assert.True(bytes.Length > 4 * 4096);
        for (var i = 2 * 4096 + 100; i < bytes.Length - 4096; i += 7)
        {
            bytes[i] = 0xA5;
        }

        File.WriteAllBytes(Harness.Path, bytes);

        var error = Assert.Throws<StoreRefusedException>(() => Harness.Open());

        Assert.Contains(Harness.Path, error.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(Harness.Path));
    }

    [Fact]
    public void An_unwritable_folder_is_refused_with_the_path_and_the_key()
    {
        // A folder that cannot exist (its parent is a file): refused even as root.
        var blocker = Path.Combine(Harness.Folder, "not-a-folder");
        File.WriteAllText(blocker, "x");
        var path = Path.Combine(blocker, "history", "dashboard.db");

        var error = Assert.Throws<StoreRefusedException>(() => Harness.Open(path));

        Assert.Contains("Dashboard:Storage:Path", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(blocker, "history"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_made_by_v1_is_upgraded_in_place_and_its_runs_read_searched_and_pinned()
    {
        File.Copy(Path.Combine(Fixtures.Directory, "..", "Storage", "Fixtures", "history-v1.db"), Harness.Path);

        using var store = Harness.Open();

        Assert.Equal("0123456789abcdef", store.InstanceId);
        Assert.True(store.StartAfter >= 1_048_576);
        var run = store.FindRun("run-v1fixture01");
        Assert.NotNull(run);
        Assert.Equal("The hippopotamus swims.", run.Text.ToString());
        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(2, run.Timeline.Count);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 0, 42, TimeSpan.Zero).AddTicks(7654321), run.EndedAt);

        var found = store.QueryEnded(new RunQuery { Text = "hippopotamus" });
        var hit = Assert.Single(found.Items);
        Assert.Contains(SearchText.MarkStart + "hippopotamus" + SearchText.MarkEnd, hit.Match, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(run.Id, Assert.Single(store.QueryEnded(new RunQuery { Sort = RunSort.Duration }).Items).Run.Id);
        Assert.True(store.SetPinned(run.Id, true));
        Assert.True(store.IsPinned(run.Id));
        Assert.Equal(new[] { 40, 42 }, Assert.Single(store.LatestGraphs(10)).History.Select(p => p.Nodes));

        using var connection = new SqliteConnection($"Data Source={Harness.Path};Pooling=False");
        connection.Open();
        Assert.Equal((long)SqliteSchema.Current, SqliteSchema.Scalar(connection, "PRAGMA user_version;"));
    }

    [Fact]
    public void Above_the_full_check_size_a_file_closed_cleanly_gets_the_cheap_checks_and_a_truncated_one_is_refused()
    {
        WriteRunsAndClose(200);
        using (var connection = new SqliteConnection($"Data Source={Harness.Path};Pooling=False"))
        {
            connection.Open();
            Assert.Equal("0", SqliteSchema.Scalar(connection, "SELECT value FROM meta WHERE key = 'open';"));
            SqliteStoreFile.Check(connection, Harness.Path, fullCheckUpToBytes: 0);
        }

        // A copy cut short: the header counts more pages than the file holds.
        var bytes = File.ReadAllBytes(Harness.Path);
        File.WriteAllBytes(Harness.Path, bytes[..(bytes.Length - (3 * 4096))]);
        using (var connection = new SqliteConnection($"Data Source={Harness.Path};Pooling=False;Mode=ReadOnly"))
        {
            connection.Open();
            var error = Assert.Throws<StoreRefusedException>(() => SqliteStoreFile.Check(connection, Harness.Path, fullCheckUpToBytes: 0));
            Assert.Contains("damaged", error.Message, StringComparison.Ordinal);
            Assert.Contains(Harness.Path, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Above_the_full_check_size_a_file_not_closed_cleanly_gets_the_full_check_and_a_damaged_page_is_refused()
    {
        WriteRunsAndClose(200);
        using (var connection = new SqliteConnection($"Data Source={Harness.Path};Pooling=False"))
        {
            connection.Open();
            SqliteStoreFile.MarkOpen(connection);
        }

        var bytes = File.ReadAllBytes(Harness.Path);
        for (var i = (bytes.Length / 2) + 100; i < bytes.Length - 4096; i += 7)
        {
            bytes[i] = 0xA5;
        }

        File.WriteAllBytes(Harness.Path, bytes);
        using var damaged = new SqliteConnection($"Data Source={Harness.Path};Pooling=False;Mode=ReadOnly");
        damaged.Open();

        var error = Assert.Throws<StoreRefusedException>(() => SqliteStoreFile.Check(damaged, Harness.Path, fullCheckUpToBytes: 0));

        Assert.Contains("damaged", error.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(Harness.Path));
    }

    [Fact]
    public async Task Pages_found_through_the_list_index_and_the_word_checks_match_a_plain_ordering()
    {
        // Runs whose start order differs from their write order, a common and a rare word, and
        // every filter: both ways of finding a page give the same runs in the same order.
        using var store = Harness.Open();
        var (hub, _) = Harness.Hub(store);
        for (var i = 0; i < 30; i++)
        {
            var start = (i * 7) % 30;
            var words = i % 10 == 0 ? new[] { "common rare " } : new[] { "common " };
            foreach (var e in StoreHarness.Run($"run-{i:D2}", "prompt", words, i % 3 == 0 ? RunStatus.Failed : RunStatus.Completed, start))
            {
                hub.Publish(e);
            }
        }

        await store.FlushAsync();
        var all = store.QueryEnded(new RunQuery { Limit = 1000 }).Items.Select(i => i.Run).ToList();
        Assert.Equal(30, all.Count);
        Assert.Equal(all.OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id, StringComparer.Ordinal).Select(r => r.Id), all.Select(r => r.Id));
        var since = all.OrderBy(r => r.StartedAt).ElementAt(5).StartedAt;
        var failed = all.Where(r => r.Status == RunStatus.Failed).Select(r => r.Id).ToList();
        var rareIds = new[] { "run-00", "run-10", "run-20" };

        // Few matches (fetched and ordered directly), then every word taken as common (index walk and
        // checks), reading the matches in one chunk and then two at a time (a walk across many chunks).
        foreach (var (threshold, chunk) in new[] { (SqliteHistoryStore.DefaultCommonWordMatches, 1024), (1, 1024), (1, 2) })
        {
            store.CommonWordMatches = threshold;
            store.MatchChunk = chunk;
            Assert.Equal(failed, Pages(store, new RunQuery { Text = "common", Backends = ["ALPHA"], Statuses = [RunStatus.Failed], Limit = 4 }));
            Assert.Equal(all.Where(r => r.StartedAt >= since).Select(r => r.Id), Pages(store, new RunQuery { Text = "COMMON", Since = since, Limit = 3 }));
            Assert.Equal(all.Where(r => rareIds.Contains(r.Id)).Select(r => r.Id), Pages(store, new RunQuery { Text = "rare", Limit = 1 }));
            Assert.Empty(store.QueryEnded(new RunQuery { Text = "absent" }).Items);
            var byDuration = Pages(store, new RunQuery { Text = "common", Sort = RunSort.Duration, Limit = 7 });
            Assert.Equal(all.OrderByDescending(r => r.EndedAt - r.StartedAt).ThenByDescending(r => r.Id, StringComparer.Ordinal).Select(r => r.Id), byDuration);
            Assert.All(store.QueryEnded(new RunQuery { Text = "rare" }).Items, i => Assert.Contains(SearchText.MarkStart + "rare" + SearchText.MarkEnd, i.Match, StringComparison.Ordinal));
        }
    }

    private static List<string> Pages(IHistoryStore store, RunQuery query)
    {
        var ids = new List<string>();
        for (var page = store.QueryEnded(query); ; page = store.QueryEnded(query with { Before = page.Next }))
        {
            ids.AddRange(page.Items.Select(i => i.Run.Id));
            if (page.Next is null)
            {
                return ids;
            }
        }
    }

    private void WriteRunsAndClose(int runs)
    {
        using var store = Harness.Open();
        var (hub, _) = Harness.Hub(store);
        for (var i = 0; i < runs; i++)
        {
            foreach (var e in StoreHarness.Run($"run-{i:D4}", "prompt " + i, [string.Concat(Enumerable.Repeat($"answer {i} ", 300))], start: i))
            {
                hub.Publish(e);
            }
        }
    }
}
