using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Dashboard.Backends.Codegen;
using Dashboard.Benchmarks.Infrastructure;
using Dashboard.Benchmarks.Ingest;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Security;
using Dashboard.State;
using Dashboard.Storage;
using Dashboard.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dashboard.Benchmarks.History;

/// <summary>
/// <c>history</c>: the history store's figures side by side in one run: the app's writer against a
/// bare prepared INSERT loop on the same schema and rows; the ingest full path (arm B) with the store
/// on and off; and a store of generated runs (outputs of 0.5–8 KB, mixed backends and statuses):
/// start-up to a served first page, API p95 for the first page, a filter and full-text searches.
/// Options: <c>--events</c> (append rows, default 200,000), <c>--runs</c> (default 100,000),
/// <c>--ingest</c> (events per ingest stream, default 20,000), <c>--requests</c> (per API query, default 100),
/// <c>--only append|ingest|runs</c> (one part alone), <c>--runs-file</c> (keep the generated runs there and reuse them).
/// </summary>
public static class HistoryCommand
{
    private const string RareWord = "zanzibar";
    private const int WarmUpRequests = 5;
    private static readonly string[] InsertParameters = ["$seq", "$at", "$type", "$backend", "$run", "$data"];
    private static readonly string[] Words =
    [
        "function", "return", "value", "request", "handler", "model", "route", "database", "query", "result",
        "error", "client", "server", "stream", "token", "output", "input", "prompt", "stage", "test",
    ];

    public static async Task<int> RunAsync(HarnessArgs args)
    {
        var folder = Directory.CreateTempSubdirectory("dashboard-history-bench-").FullName;
        try
        {
            // --only append|ingest|runs measures one part alone (all three by default).
            var only = args.Value("only");
            if (only is null or "append")
            {
                Append(folder, args.Int("events", 200_000));
            }

            if (only is null or "ingest")
            {
                await IngestAsync(folder, args.Int("ingest", 20_000));
            }

            if (only is null or "runs")
            {
                await ManyRunsAsync(folder, args.Int("runs", 100_000), args.Int("requests", 100), args.Value("runs-file"));
            }

            Console.WriteLine($"finished under {MachineLoad.Describe()}");
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static SqliteHistoryStore Open(string path) => new(
        path,
        new StorageOptions(),
        new SecretRedactor(Microsoft.Extensions.Options.Options.Create(new DashboardOptions())),
        TimeProvider.System,
        NullLogger<SqliteHistoryStore>.Instance);

    /// <summary>Stage reports and text deltas of many runs, as ingest publishes them.</summary>
    private static List<DashboardEvent> Rows(int count)
    {
        var at = DateTimeOffset.UtcNow;
        var rows = new List<DashboardEvent>(count);
        for (var i = 0; i < count; i++)
        {
            var run = $"run-{i / 500:D6}";
            rows.Add(i % 10 == 0
                ? new RunStageReported { Backend = "codegen", At = at.AddTicks(i), RunId = run, Stage = "code_generation", Status = StageStatus.Running, Message = "Generating code", Progress = 0.5 }
                : new RunTextReceived { Backend = "codegen", At = at.AddTicks(i), RunId = run, Text = $"{Words[i % Words.Length]} {i} of the answer; " });
        }

        return rows;
    }

    private static void Append(string folder, int count)
    {
        var rows = Rows(count);
        var encoded = rows.Select(EventCodec.Encode).ToList();
        var table = new Table("arm", "run", "events", "seconds", "events/s");
        var writer = new List<double>();
        var bare = new List<double>();

        // Round 0 is a warm-up of both arms, not counted: the writer's first round otherwise pays
        // the JIT of encoding, redaction and JSON (6.2 s against 1.6–2.3 s for the next rounds).
        for (var round = 0; round <= 3; round++)
        {
            var path = Path.Combine(folder, $"append-writer-{round}.db");
            using (var store = Open(path))
            {
                var clock = Stopwatch.StartNew();
                foreach (var row in rows)
                {
                    store.Record(new SequencedEvent(store.NextSequence(), row));
                }

                store.FlushAsync().GetAwaiter().GetResult();
                clock.Stop();
                if (round > 0)
                {
                    writer.Add(count / clock.Elapsed.TotalSeconds);
                    table.Add("app writer (queue, batches, encode, redact)", round, count, clock.Elapsed.TotalSeconds, writer[^1]);
                }

                if (store.DroppedEvents > 0)
                {
                    Console.WriteLine($"writer round {round}: {store.DroppedEvents} events dropped (queue full)");
                }
            }

            var barePath = Path.Combine(folder, $"append-bare-{round}.db");
            Open(barePath).Dispose();
            using (var connection = new SqliteConnection(SqliteStoreFile.ConnectionString(barePath)))
            {
                connection.Open();
                using (var pragma = connection.CreateCommand())
                {
                    pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;";
                    pragma.ExecuteNonQuery();
                }

                var clock = Stopwatch.StartNew();
                using var transaction = connection.BeginTransaction();
                using var insert = connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO events(seq, at, type, backend, run_id, data) VALUES ($seq, $at, $type, $backend, $run, $data);";
                var p = InsertParameters.Select(n => insert.Parameters.Add(new SqliteParameter(n, null))).ToArray();
                insert.Prepare();
                for (var i = 0; i < rows.Count; i++)
                {
                    var e = (RunEvent)rows[i];
                    p[0].Value = i + 1L;
                    p[1].Value = e.At.UtcTicks;
                    p[2].Value = encoded[i].Type;
                    p[3].Value = e.Backend;
                    p[4].Value = e.RunId;
                    p[5].Value = encoded[i].Data;
                    insert.ExecuteNonQuery();
                }

                transaction.Commit();
                clock.Stop();
                if (round > 0)
                {
                    bare.Add(count / clock.Elapsed.TotalSeconds);
                    table.Add("bare prepared INSERT, one transaction (the limit)", round, count, clock.Elapsed.TotalSeconds, bare[^1]);
                }
            }
        }

        Console.WriteLine("### Store append");
        Console.WriteLine(table);
        Console.WriteLine($"app writer / bare INSERT (median of 3 each): {Median.Of(writer) / Median.Of(bare):P0}  (target >= 70%)  {MachineLoad.Describe()}");
        Console.WriteLine();
    }

    private static async Task IngestAsync(string folder, int events)
    {
        var table = new Table("arm B", "run", "events", "seconds", "events/s");
        var off = new List<double>();
        var on = new List<double>();
        using var store = Open(Path.Combine(folder, "ingest.db"));
        await using var withoutStore = await IngestArms.StartAsync();
        await using var withStore = await IngestArms.StartAsync(store);
        await withoutStore.FullPathAsync(1000, new CodegenDecoder());
        await withStore.FullPathAsync(1000, new CodegenDecoder());
        for (var round = 1; round <= 5; round++)
        {
            off.Add(await TimeAsync(withoutStore, events));
            table.Add("store off", round, events, events / off[^1], off[^1]);
            on.Add(await TimeAsync(withStore, events));
            table.Add("store on (sqlite)", round, events, events / on[^1], on[^1]);
        }

        Console.WriteLine("### Ingest full path, store on and off");
        Console.WriteLine(table);
        Console.WriteLine($"store on / store off (median of 5 each): {Median.Of(on) / Median.Of(off):P0}  (target >= 80%); events dropped by the store: {store.DroppedEvents}  {MachineLoad.Describe()}");
        Console.WriteLine();
    }

    private static async Task<double> TimeAsync(IngestArms arms, int events)
    {
        var clock = Stopwatch.StartNew();
        await arms.FullPathAsync(events, new CodegenDecoder());
        return events / clock.Elapsed.TotalSeconds;
    }

    /// <param name="keep">A file to keep the generated runs in (reused by the next run instead of generating them again).</param>
    private static async Task ManyRunsAsync(string folder, int count, int requests, string? keep)
    {
        var path = keep ?? Path.Combine(folder, "runs.db");
        var random = new Random(4242);
        var generate = Stopwatch.StartNew();
        var reused = keep is not null && File.Exists(keep);
        using (var store = reused ? null : Open(path))
        {
            var start = DateTimeOffset.UtcNow.AddDays(-20);
            for (var i = 0; i < count && store is not null; i++)
            {
                store.SaveRun(GeneratedRun(i, start.AddSeconds(i * 15), random));
                if (i % 5000 == 4999)
                {
                    // Runs are never dropped, so the queue is bounded here by waiting for the writer.
                    await store.FlushAsync();
                }
            }

            if (store is not null)
            {
                await store.FlushAsync();
            }
        }

        generate.Stop();
        var bytes = Directory.GetFiles(Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileName(path) + "*").Sum(f => new FileInfo(f).Length);
        Console.WriteLine($"### {count:N0} generated runs");
        Console.WriteLine(reused
            ? $"reused {path} (generated by an earlier run); file {bytes / 1048576.0:0} MB, {bytes / (double)count / 1024:0.0} KB per run"
            : $"generated and written through the app's writer in {generate.Elapsed.TotalSeconds:0.0} s; file {bytes / 1048576.0:0} MB, {bytes / (double)count / 1024:0.0} KB per run");

        var startup = Stopwatch.StartNew();
        await using var app = new TestApp(new Dictionary<string, string?>
        {
            ["Dashboard:Storage:Provider"] = "sqlite",
            ["Dashboard:Storage:Path"] = path,

            // The store is measured holding all of them: with the default (10,000) the retention
            // pass at start-up would be deleting 90% of them while the queries are timed.
            ["Dashboard:Storage:MaxRuns"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture),
        })
        {
            Demo = false,
            QuietLogs = true,
        };
        using var client = app.CreateApiClient();
        using (var first = await client.GetAsync("/api/runs"))
        {
            first.EnsureSuccessStatusCode();
        }

        startup.Stop();
        Console.WriteLine($"start-up to a served first page: {startup.Elapsed.TotalSeconds:0.00} s (target <= 3 s)  {MachineLoad.Describe()}");

        var table = new Table("query", "requests", "items", "p50 ms", "p95 ms", "max ms");
        foreach (var (name, url) in new[]
        {
            ("first page", "/api/runs"),
            ("filter: backend and status", "/api/runs?backend=beta&status=failed"),
            ($"full text, rare word ({RareWord})", $"/api/runs?q={RareWord}"),
            ("full text, common word (function)", "/api/runs?q=function"),
        })
        {
            // A few untimed requests first, the same for every query: the first query otherwise paid
            // the warm-up after start-up (code still being compiled to its final tier) that the
            // start-up figure above already counts, and its p95 said more about the order of the rows.
            for (var i = 0; i < WarmUpRequests; i++)
            {
                await client.GetStringAsync(url);
            }

            var times = new List<double>();
            var items = 0;
            for (var i = 0; i < requests; i++)
            {
                var clock = Stopwatch.StartNew();
                var json = await client.GetStringAsync(url);
                clock.Stop();
                times.Add(clock.Elapsed.TotalMilliseconds);
                if (i == 0)
                {
                    using var doc = JsonDocument.Parse(json);
                    items = doc.RootElement.GetArrayLength();
                }
            }

            times.Sort();
            table.Add(name, requests, items, times[times.Count / 2], times[(int)Math.Ceiling(times.Count * 0.95) - 1], times[^1]);
        }

        Console.WriteLine(table);
        Console.WriteLine($"API p95 target <= 50 ms each  {MachineLoad.Describe()}");
        Console.WriteLine();
    }

    private static RunView GeneratedRun(int i, DateTimeOffset started, Random random)
    {
        var backend = (i % 3) switch { 0 => "alpha", 1 => "beta", _ => "gamma" };
        var status = (i % 10) switch { 0 => RunStatus.Failed, 1 => RunStatus.Cancelled, 2 => RunStatus.Interrupted, _ => RunStatus.Completed };
        var size = random.Next(512, 8 * 1024);
        var text = new StringBuilder(size + 32);
        while (text.Length < size)
        {
            text.Append(Words[random.Next(Words.Length)]).Append(' ');
        }

        if (i % 5000 == 0)
        {
            text.Append(RareWord);
        }

        var ended = started.AddSeconds(5 + random.Next(120));
        return new RunView(
            $"run-{i:D8}", backend, $"Prompt {i}: build a {Words[i % Words.Length]} endpoint", null,
            new Dictionary<string, JsonElement>(), $"up-{i}", status, "complete", 1, started, ended,
            [new TimelineEntry("complete", StageStatus.Completed, null, 1, ended)],
            TextBuffer.Restored(text.ToString(), false), TextBuffer.Restored("", false),
            new Usage(100, size / 4, 100 + (size / 4)), [], new Dictionary<string, string>(), status == RunStatus.Failed ? "boom" : null, i);
    }
}
