using Dashboard.Benchmarks.Infrastructure;

namespace Dashboard.Benchmarks.Browser;

/// <summary><c>latency [--rate 100] [--seconds 30] [--warmup 3]</c> (benchmark 2) and <c>browser-fanout [--pages 1,10,25] [--rate 100] [--seconds 30] [--warmup 3]</c> (4b).</summary>
public static class BrowserLatencyCommands
{
    public static async Task<int> LatencyAsync(HarnessArgs args)
    {
        var options = new BrowserLatencyOptions(1, args.Int("rate", 100), TimeSpan.FromSeconds(args.Double("seconds", 30)), WithFloor: true, TimeSpan.FromSeconds(args.Double("warmup", 3)));
        Console.WriteLine($"latency: {options.EventsPerSecond} events/s for {options.Duration.TotalSeconds} s; dashboard run page and EventSource floor page in one Chromium, same time");
        var r = await BrowserLatency.RunAsync(options, Console.WriteLine);
        var table = new Table("page", "markers seen", "p50 (ms)", "p95 (ms)", "p99 (ms)", "max (ms)");
        table.Add("floor: static page, browser EventSource on GET /ticks", $"{r.FloorSeen} / {r.Expected}", r.Floor!.Percentile(0.5), r.Floor.Percentile(0.95), r.Floor.Percentile(0.99), r.Floor.MaxMilliseconds);
        table.Add("dashboard: /runs/{id} via ingest runner → hub → circuit", $"{r.SeenPerPage[0]} / {r.Expected}", r.Dashboard.Percentile(0.5), r.Dashboard.Percentile(0.95), r.Dashboard.Percentile(0.99), r.Dashboard.MaxMilliseconds);
        Console.WriteLine(table);
        var gap = r.Dashboard.Percentile(0.95) - r.Floor.Percentile(0.95);
        Console.WriteLine($"dashboard p95 − floor p95 = {gap:0.#} ms (target ≤ 25 ms): {(gap <= 25 ? "met" : "MISSED")}");
        return 0;
    }

    public static async Task<int> FanOutAsync(HarnessArgs args)
    {
        var rate = args.Int("rate", 100);
        var seconds = args.Double("seconds", 30);
        Console.WriteLine($"browser fan-out: one run stream ({rate} events/s for {seconds} s) watched by N pages in one Chromium");
        var table = new Table("pages", "markers seen (min page)", "p50 (ms)", "p95 all (ms)", "p95 worst page (ms)", "p99 (ms)", "managed heap / circuit", "working set / circuit", "server CPU (s)");
        foreach (var pages in args.Ints("pages", [1, 10, 25]))
        {
            var r = await BrowserLatency.RunAsync(new BrowserLatencyOptions(pages, rate, TimeSpan.FromSeconds(seconds), WithFloor: false, TimeSpan.FromSeconds(args.Double("warmup", 3))), Console.WriteLine);
            table.Add(pages, $"{r.SeenPerPage.Min()} / {r.Expected}", r.Dashboard.Percentile(0.5), r.Dashboard.Percentile(0.95), r.WorstPageP95, r.Dashboard.Percentile(0.99), $"{r.RetainedPerCircuit / 1024} KB", $"{r.WorkingSetPerCircuit / 1024} KB", r.ServerCpu.TotalSeconds);
        }

        Console.WriteLine(table);
        return 0;
    }
}
