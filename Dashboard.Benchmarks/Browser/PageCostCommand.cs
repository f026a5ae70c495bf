using Dashboard.Benchmarks.Infrastructure;

namespace Dashboard.Benchmarks.Browser;

/// <summary>
/// <c>page-cost [--seconds 30] [--rate 1000] [--pages 1,10,25]</c>: benchmark 4. One run streams
/// text at the rate for about the given time while pages are open: (a) one page of each type, to
/// count what each receives; (b) N pages watching the run; (c) N pages on another run's page; and
/// the feed with no page at all, first and last, whose lower CPU is subtracted as what no page costs.
/// </summary>
public static class PageCostCommand
{
    public static async Task<int> RunAsync(HarnessArgs args)
    {
        var seconds = args.Double("seconds", 30);
        var rate = args.Int("rate", 1000);
        var counts = args.Ints("pages", [1, 10, 25]);
        // Deltas are 2–8 characters (5 on average): the answer's size that streams for that long.
        var kilobytes = Math.Max(1, (int)(seconds * rate * 5 / 1024));
        Console.WriteLine($"page cost: one run streams {kilobytes} KB of Markdown as {rate} deltas/s (≈ {seconds} s) from a separate upstream process through the app's ingest; pages in one Chromium");
        await using var bench = await PageCost.StartAsync();

        // Warm-up (discarded): JIT, Markdig and every page's first use.
        await bench.RunAsync("warm-up", [PageCost.Overview, PageCost.RunsPage, PageCost.OtherRun, PageCost.Watching], 8, rate);

        var firstFeed = await bench.RunAsync("feed only (no page), first", [], kilobytes, rate);
        Report(firstFeed);
        var types = await bench.RunAsync("one page of each type", [PageCost.Overview, PageCost.RunsPage, PageCost.OtherRun, PageCost.Watching], kilobytes, rate);
        Report(types);
        var arms = new List<PageCostArm>();
        foreach (var n in counts)
        {
            arms.Add(await bench.RunAsync($"{n} watching", [.. Enumerable.Repeat(PageCost.Watching, n)], kilobytes, rate));
            Report(arms[^1]);
            arms.Add(await bench.RunAsync($"{n} on another run", [.. Enumerable.Repeat(PageCost.OtherRun, n)], kilobytes, rate));
            Report(arms[^1]);
        }

        // The feed alone again, last: the first one still pays for warming up (tiered JIT, heap
        // growth) and can cost more than a later arm with pages. The lower of the two is what
        // no page costs, so a page's share is never understated.
        var lastFeed = await bench.RunAsync("feed only (no page), last", [], kilobytes, rate);
        Report(lastFeed);
        var feed = lastFeed.ServerCpu <= firstFeed.ServerCpu ? lastFeed : firstFeed;

        var byType = new Table("page", "frames", "frames/s", "KB received", "target ≤ 1 frame/s (render batches + keep-alives)");
        foreach (var page in types.Pages)
        {
            byType.Add(page.Page, page.Frames, page.FramesPerSecond.ToString("0.00"), page.Bytes / 1024, page.Page == PageCost.Watching ? "(the watching page)" : page.FramesPerSecond <= 1 ? "met" : "MISSED");
        }

        Console.WriteLine(byType);
        var feedCpu = feed.ServerCpu.TotalSeconds;
        var table = new Table("arm", "pages", "stream (s)", "CPU (s)", "CPU − feed only (s)", "CPU per page (ms per s)", "frames per page", "KB per page", "CPU per delivered frame (µs)", "pages per core at 10 updates/s");
        foreach (var f in new[] { firstFeed, lastFeed })
        {
            table.Add(f.Name + (ReferenceEquals(f, feed) ? " (subtracted)" : ""), 0, f.Seconds.ToString("0.0"), f.ServerCpu.TotalSeconds.ToString("0.00"), "-", "-", "-", "-", "-", "-");
        }

        foreach (var arm in arms)
        {
            var net = Math.Max(0, arm.ServerCpu.TotalSeconds - feedCpu);
            var frames = arm.Pages.Sum(p => p.Frames);
            var perFrame = frames == 0 ? double.NaN : net / frames;
            table.Add(
                arm.Name,
                arm.PageCount,
                arm.Seconds.ToString("0.0"),
                arm.ServerCpu.TotalSeconds.ToString("0.00"),
                net.ToString("0.00"),
                (net / arm.PageCount / arm.Seconds * 1000).ToString("0.0"),
                (frames / (double)arm.PageCount).ToString("0"),
                (arm.Pages.Sum(p => p.Bytes) / arm.PageCount / 1024).ToString("N0"),
                double.IsNaN(perFrame) ? "-" : (perFrame * 1e6).ToString("0"),
                double.IsNaN(perFrame) || perFrame == 0 ? "-" : (1 / (perFrame * 10)).ToString("N0"));
        }

        Console.WriteLine(table);
        foreach (var n in counts)
        {
            var watching = arms.Find(a => a.Name == $"{n} watching")!;
            var elsewhere = arms.Find(a => a.Name == $"{n} on another run")!;
            var w = Math.Max(0, watching.ServerCpu.TotalSeconds - feedCpu) / n;
            var e = Math.Max(0, elsewhere.ServerCpu.TotalSeconds - feedCpu) / n;
            Console.WriteLine($"{n} pages: a page on another run costs {(w == 0 ? double.NaN : e / w * 100):0.0}% of a watching page (target < 1%)");
        }

        return 0;
    }

    private static void Report(PageCostArm arm) =>
        Console.WriteLine($"  {arm.Name}: {arm.Deltas} deltas in {arm.Seconds:0.0} s, CPU {arm.ServerCpu.TotalSeconds:0.00} s, frames {string.Join(" / ", arm.Pages.Select(p => $"{p.Page} {p.Frames}"))}");
}
