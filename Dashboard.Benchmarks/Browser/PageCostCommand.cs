using Dashboard.Benchmarks.Infrastructure;

namespace Dashboard.Benchmarks.Browser;

/// <summary>
/// <c>page-cost [--seconds 15] [--rate 1000] [--elsewhere 60] [--rounds 3] [--pages 1,10,25]
/// [--flat-rate 10] [--flat-seconds 15]</c>: benchmark 4, in three parts, in one process and one Chromium.
/// <list type="number">
/// <item>Frames per page type: one page each of the Overview, the Runs page, another run's page and
/// the streaming run's page while one run streams at <c>--rate</c> deltas/s.</item>
/// <item>A page elsewhere against a watching page, at the same rate: rounds of (the feed with no
/// page, <c>--elsewhere</c> pages showing something else, one watching page), with one more feed
/// arm at the end, so every arm has a feed arm just before and just after it. A page's cost is
/// its arm's CPU minus the mean of those two feed arms, divided by its pages. Many pages elsewhere
/// make their total large against the feed's own spread, which is printed as the resolution.</item>
/// <item>Per-page cost against the number of pages: rounds of (feed, then N watching pages for each N
/// of <c>--pages</c>) at <c>--flat-rate</c> deltas/s, a rate at which every page can take every
/// update (each delta is then one update per page), so the server's cost per delivered update is
/// compared at the same work per page.</item>
/// </list>
/// </summary>
public static class PageCostCommand
{
    public static async Task<int> RunAsync(HarnessArgs args)
    {
        var seconds = args.Double("seconds", 15);
        var rate = args.Int("rate", 1000);
        var elsewhere = args.Int("elsewhere", 60);
        var rounds = args.Int("rounds", 3);
        var counts = args.Ints("pages", [1, 10, 25]);
        var flatRate = args.Int("flat-rate", 10);
        var flatSeconds = args.Double("flat-seconds", 15);
        var kilobytes = KilobytesFor(seconds, rate);
        var flatKilobytes = KilobytesFor(flatSeconds, flatRate);
        Console.WriteLine($"page cost: one run streams Markdown from a separate upstream process (an OpenAI chat stream) through the app's ingest; pages in one Chromium; {rounds} rounds alternated with the feed alone");
        await using var bench = await PageCost.StartAsync();

        // Warm-up (discarded): JIT, Markdig, every page type's first use, and many circuits at once.
        await bench.RunAsync("warm-up", [PageCost.Overview, PageCost.RunsPage, PageCost.OtherRun, PageCost.Watching], 8, rate);
        await bench.RunAsync("warm-up", [.. Elsewhere(elsewhere), PageCost.Watching], 8, rate);
        await bench.RunAsync("warm-up", [.. Enumerable.Repeat(PageCost.Watching, counts.Max())], 1, flatRate);

        Console.WriteLine($"\n## 1. Frames per page type ({kilobytes} KB at {rate} deltas/s)");
        var types = await bench.RunAsync("one page of each type", [PageCost.Overview, PageCost.RunsPage, PageCost.OtherRun, PageCost.Watching], kilobytes, rate);
        Report(types);
        var byType = new Table("page", "frames", "frames/s", "KB received", "target ≤ 1 frame/s (render batches + keep-alives)");
        foreach (var page in types.Pages)
        {
            byType.Add(page.Page, page.Frames, page.FramesPerSecond.ToString("0.00"), page.Bytes / 1024, page.Page == PageCost.Watching ? "(the watching page)" : page.FramesPerSecond <= 1 ? "met" : "MISSED");
        }

        Console.WriteLine(byType);

        Console.WriteLine($"\n## 2. A page elsewhere vs a watching page ({kilobytes} KB at {rate} deltas/s; {elsewhere} pages elsewhere: Overview, Runs and another run's page in turn)");
        var shares = await AlternateAsync(bench, rounds, [("elsewhere", Elsewhere(elsewhere)), ("watching", [PageCost.Watching])], kilobytes, rate);
        ReportShare(shares, elsewhere);

        Console.WriteLine($"\n## 3. Per-page cost with {string.Join(", ", counts)} watching pages ({flatKilobytes} KB at {flatRate} deltas/s)");
        var flat = await AlternateAsync(bench, rounds, [.. counts.Select(n => ($"{n} watching", (IReadOnlyList<string>)[.. Enumerable.Repeat(PageCost.Watching, n)]))], flatKilobytes, flatRate);
        ReportFlat(flat, counts, flatRate);
        return 0;
    }

    // Deltas are 2–8 characters (5 on average): the answer's size that streams for that long.
    private static int KilobytesFor(double seconds, int rate) => Math.Max(1, (int)Math.Round(seconds * rate * 5 / 1024));

    /// <summary>Pages showing something other than the streaming run: the three page types in turn.</summary>
    private static string[] Elsewhere(int count) =>
        [.. Enumerable.Range(0, count).Select(i => (i % 3) switch { 0 => PageCost.OtherRun, 1 => PageCost.Overview, _ => PageCost.RunsPage })];

    /// <summary>One arm's CPU with the feed's own cost taken out: its arm minus the mean of the feed arms just before and after it.</summary>
    private sealed record NetArm(string Label, int Round, PageCostArm Arm, double FeedBefore, double FeedAfter)
    {
        public double FeedCpu => (FeedBefore + FeedAfter) / 2;

        public double NetCpu => Arm.ServerCpu.TotalSeconds - FeedCpu;

        /// <summary>Net CPU per page per second of streaming, in ms.</summary>
        public double PerPageMsPerSecond => NetCpu / Arm.PageCount / Arm.Seconds * 1000;

        public long Frames => Arm.Pages.Sum(p => p.Frames);

        public long Bytes => Arm.Pages.Sum(p => p.Bytes);
    }

    /// <summary>The feed arms, first and after every round: what the stream costs with no page open.</summary>
    private sealed record Alternation(IReadOnlyList<PageCostArm> Feeds, IReadOnlyList<NetArm> Arms)
    {
        /// <summary>The largest change between two consecutive feed arms: differences smaller than this are not resolved.</summary>
        public double FeedSpread => Feeds.Zip(Feeds.Skip(1), (a, b) => Math.Abs(a.ServerCpu.TotalSeconds - b.ServerCpu.TotalSeconds)).DefaultIfEmpty(0).Max();
    }

    private static async Task<Alternation> AlternateAsync(PageCost bench, int rounds, IReadOnlyList<(string Label, IReadOnlyList<string> Paths)> arms, int kilobytes, int rate)
    {
        var feeds = new List<PageCostArm> { await bench.RunAsync("feed only", [], kilobytes, rate) };
        Report(feeds[^1]);
        var measured = new List<(string Label, int Round, PageCostArm Arm)>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var (label, paths) in arms)
            {
                measured.Add((label, round, await bench.RunAsync($"{label}, round {round}", paths, kilobytes, rate)));
                Report(measured[^1].Arm);
            }

            feeds.Add(await bench.RunAsync($"feed only, after round {round}", [], kilobytes, rate));
            Report(feeds[^1]);
        }

        return new Alternation(feeds, [.. measured.Select(m => new NetArm(m.Label, m.Round, m.Arm, feeds[m.Round - 1].ServerCpu.TotalSeconds, feeds[m.Round].ServerCpu.TotalSeconds))]);
    }

    private static void ReportShare(Alternation run, int elsewhere)
    {
        var table = new Table("round", "feed before / after (s)", $"{elsewhere} elsewhere: CPU (s)", "net (s)", "per page (ms/s)", "frames per page", "1 watching: CPU (s)", "net (s)", "per page (ms/s)", "frames", "share");
        var shares = new List<double>();
        foreach (var group in run.Arms.GroupBy(a => a.Round))
        {
            var e = group.Single(a => a.Label == "elsewhere");
            var w = group.Single(a => a.Label == "watching");
            var share = e.PerPageMsPerSecond / w.PerPageMsPerSecond;
            shares.Add(share);
            table.Add(
                group.Key,
                $"{e.FeedBefore:0.00} / {e.FeedAfter:0.00}",
                e.Arm.ServerCpu.TotalSeconds.ToString("0.00"),
                e.NetCpu.ToString("0.00"),
                e.PerPageMsPerSecond.ToString("0.00"),
                (e.Frames / (double)e.Arm.PageCount).ToString("0.0"),
                w.Arm.ServerCpu.TotalSeconds.ToString("0.00"),
                w.NetCpu.ToString("0.00"),
                w.PerPageMsPerSecond.ToString("0.0"),
                w.Frames,
                (share * 100).ToString("0.00") + " %");
        }

        Console.WriteLine(table);
        var watching = Median.Of(run.Arms.Where(a => a.Label == "watching").Select(a => a.PerPageMsPerSecond));
        var seconds = Median.Of(run.Arms.Select(a => a.Arm.Seconds));
        var resolution = run.FeedSpread / elsewhere / seconds * 1000;
        Console.WriteLine($"a page elsewhere costs {Median.Of(shares) * 100:0.00} % of a watching page (median of {shares.Count} rounds, {shares.Min() * 100:0.00}–{shares.Max() * 100:0.00} %; target < 1 %)");
        Console.WriteLine($"resolution: consecutive feed arms differed by up to {run.FeedSpread:0.00} s, i.e. {resolution:0.00} ms/s per page elsewhere = {resolution / watching * 100:0.00} % of a watching page ({watching:0.0} ms/s)");
    }

    private static void ReportFlat(Alternation run, int[] counts, int rate)
    {
        var table = new Table("pages", "rounds", "CPU per page (ms/s), median (range)", "updates per page (median)", "KB per page", "CPU per delivered update (µs), median (range)", "bytes per update", "pages per core at 10 updates/s");
        double? first = null;
        foreach (var n in counts)
        {
            var arms = run.Arms.Where(a => a.Arm.PageCount == n).ToList();
            var perUpdate = arms.Select(a => a.Frames == 0 ? double.NaN : a.NetCpu / a.Frames * 1e6).ToList();
            var perPage = arms.Select(a => a.PerPageMsPerSecond).ToList();
            var updates = Median.Of(arms.Select(a => a.Frames / (double)n));
            var median = Median.Of(perUpdate);
            first ??= median;
            table.Add(
                n,
                arms.Count,
                $"{Median.Of(perPage):0.00} ({perPage.Min():0.00}–{perPage.Max():0.00})",
                updates.ToString("0"),
                (Median.Of(arms.Select(a => a.Bytes / (double)n)) / 1024).ToString("0.0"),
                $"{median:0} ({perUpdate.Min():0}–{perUpdate.Max():0}), {median / first:0.00}× the 1st",
                (Median.Of(arms.Select(a => a.Bytes / (double)Math.Max(1, a.Frames)))).ToString("0"),
                (1e6 / (median * 10)).ToString("N0"));
        }

        Console.WriteLine(table);
        Console.WriteLine($"updates per page at {rate} deltas/s: each delta is one update when a page keeps up; feed arms ranged {run.Feeds.Min(f => f.ServerCpu.TotalSeconds):0.00}–{run.Feeds.Max(f => f.ServerCpu.TotalSeconds):0.00} s (spread between consecutive ones up to {run.FeedSpread:0.00} s)");
    }

    private static void Report(PageCostArm arm) =>
        Console.WriteLine($"  {DateTimeOffset.UtcNow:HH:mm:ss} {arm.Name}: {arm.PageCount} pages, {arm.Deltas} deltas in {arm.Seconds:0.0} s, CPU {arm.ServerCpu.TotalSeconds:0.00} s, frames {string.Join(" / ", arm.Pages.GroupBy(p => p.Page).Select(g => $"{g.Key} {g.Sum(p => p.Frames)}"))}");
}
