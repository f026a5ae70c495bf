using Dashboard.Benchmarks.Infrastructure;

namespace Dashboard.Benchmarks.LiveApi;

/// <summary><c>sse-export [--events 40000] [--repeat 3]</c>: GET /api/events replaying a backlog, read by the ingest parser, read bare, and parsed from memory.</summary>
public static class SseExportCommand
{
    public static async Task<int> RunAsync(HarnessArgs args)
    {
        var options = new SseExportOptions(args.Int("events", 40_000), Repeat: args.Int("repeat", 3));
        Console.WriteLine($"SSE export: {options.Events} run.text events in runs of {options.EventsPerRun} replayed from a cursor over 127.0.0.1, {options.Repeat} passes (median shown)");
        var r = await SseExport.RunAsync(options);

        var table = new Table("arm", "bytes", "items", "MB/s", "items/s", "of the parser alone");
        var limit = Median(r.ParserInMemory);
        Add(table, "ingest parser on the /api/events socket (export + parse)", Median(r.ParserOnSocket), limit);
        Add(table, "bare read of the same socket (export alone)", Median(r.RawOnSocket), limit);
        Add(table, "ingest parser on the same bytes in memory (parser alone)", limit, limit);
        Console.WriteLine(table);
        Console.WriteLine($"items expected {r.ExpectedItems}; passes (MB/s) parser on socket: {Each(r.ParserOnSocket)}; bare: {Each(r.RawOnSocket)}; parser in memory: {Each(r.ParserInMemory)}");
        return r.ParserOnSocket.All(p => p.Items == r.ExpectedItems) ? 0 : 1;
    }

    private static void Add(Table table, string arm, SseArmPass pass, SseArmPass limit) =>
        table.Add(arm, pass.Bytes, pass.Items == 0 ? "" : pass.Items.ToString("N0"), pass.BytesPerSecond / 1e6, pass.Items == 0 ? "" : (object)pass.ItemsPerSecond, $"{pass.BytesPerSecond / limit.BytesPerSecond:P0}");

    private static SseArmPass Median(IReadOnlyList<SseArmPass> passes) =>
        passes.OrderBy(p => p.BytesPerSecond).ElementAt(passes.Count / 2);

    private static string Each(IReadOnlyList<SseArmPass> passes) =>
        string.Join(", ", passes.Select(p => (p.BytesPerSecond / 1e6).ToString("0.0")));
}
