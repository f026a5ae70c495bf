using System.Diagnostics;
using Dashboard.Benchmarks.Infrastructure;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Security;
using Dashboard.State;
using Dashboard.Storage;
using Dashboard.Storage.Postgres;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dashboard.Benchmarks.Storage;

/// <summary>
/// <c>store-append --postgres "Host=…;Database=…" [--runs 200] [--deltas 500] [--rounds 3]</c>:
/// the same rows (runs of streamed text deltas, each run saved whole at its end) appended to the
/// SQLite store in a temp folder and to the PostgreSQL store named by <c>--postgres</c>, through
/// the stores' own queue and writer; the time runs from the first append to the flush that says
/// everything is written. Each round uses a fresh file and a fresh set of tables.
/// </summary>
public static class StoreAppendCommand
{
    public static async Task<int> RunAsync(HarnessArgs args)
    {
        var postgres = args.Value("postgres");
        if (string.IsNullOrWhiteSpace(postgres))
        {
            Console.Error.WriteLine("store-append needs --postgres \"Host=127.0.0.1;Port=5432;Database=…;Username=…\" (an empty database: its tables are dropped between rounds)");
            return 2;
        }

        var runs = args.Int("runs", 200);
        var deltas = args.Int("deltas", 500);
        var rounds = args.Int("rounds", 3);
        var rows = Rows(runs, deltas);
        var events = rows.Count(r => r is not RunView);
        Console.WriteLine($"store-append: {runs} runs × {deltas} text deltas = {events} events and {runs} saved runs, {rounds} rounds per store");

        var options = new DashboardOptions();
        var redactor = new SecretRedactor(Microsoft.Extensions.Options.Options.Create(options));
        var table = new Table("store", "round", "events", "seconds", "events/s");
        for (var round = 1; round <= rounds; round++)
        {
            var folder = Directory.CreateTempSubdirectory("dashboard-bench-store-").FullName;
            try
            {
                using var sqlite = new SqliteHistoryStore(Path.Combine(folder, "bench.db"), options.Storage, redactor, TimeProvider.System, NullLogger<SqliteHistoryStore>.Instance);
                var seconds = await AppendAsync(sqlite, rows);
                table.Add("sqlite", round, events, seconds.ToString("F2"), (events / seconds).ToString("F0"));
            }
            finally
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(folder, recursive: true);
            }

            await DropTablesAsync(postgres);
            using (var pg = new PostgresHistoryStore(postgres, options.Storage, redactor, TimeProvider.System, NullLogger<PostgresHistoryStore>.Instance))
            {
                var seconds = await AppendAsync(pg, rows);
                table.Add("postgres", round, events, seconds.ToString("F2"), (events / seconds).ToString("F0"));
            }
        }

        Console.WriteLine(table);
        return 0;
    }

    private static async Task<double> AppendAsync(IHistoryStore store, IReadOnlyList<object> rows)
    {
        var clock = Stopwatch.StartNew();
        foreach (var row in rows)
        {
            if (row is RunView run)
            {
                store.SaveRun(run);
            }
            else
            {
                store.Record(new SequencedEvent(store.NextSequence(), (DashboardEvent)row));
            }
        }

        await store.FlushAsync();
        var seconds = clock.Elapsed.TotalSeconds;
        if (store.DroppedEvents != 0)
        {
            throw new InvalidOperationException($"{store.Provider} dropped {store.DroppedEvents} events: the figure would not be a throughput.");
        }

        return seconds;
    }

    /// <summary>Each run: created, its deltas, ended; then its whole view (as the hub's projection hands it to the store).</summary>
    private static List<object> Rows(int runs, int deltas)
    {
        var state = new DashboardState(Microsoft.Extensions.Options.Options.Create(new DashboardOptions()));
        var at = new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
        var rows = new List<object>();
        long sequence = 0;
        for (var r = 0; r < runs; r++)
        {
            var id = $"bench-{r:D5}";
            var events = new List<DashboardEvent> { new RunCreated { Backend = "alpha", At = at, RunId = id, Prompt = $"write function number {r}" } };
            for (var d = 0; d < deltas; d++)
            {
                events.Add(new RunTextReceived { Backend = "alpha", At = at.AddTicks(d), RunId = id, Text = $"token{d % 97} " });
            }

            events.Add(new RunEnded { Backend = "alpha", At = at.AddSeconds(1), RunId = id, Status = RunStatus.Completed });
            foreach (var e in events)
            {
                state.Apply(e, ++sequence);
                rows.Add(e);
            }

            rows.Add(state.GetLiveRun(id)!);
        }

        return rows;
    }

    private static async Task DropTablesAsync(string connectionString)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("DROP TABLE IF EXISTS meta, events, gaps, runs, graphs, graph_points; DROP SEQUENCE IF EXISTS event_blocks;", connection);
        await command.ExecuteNonQueryAsync();
    }
}
