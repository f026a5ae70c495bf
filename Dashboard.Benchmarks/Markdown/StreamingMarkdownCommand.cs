using Dashboard.Benchmarks.Infrastructure;

namespace Dashboard.Benchmarks.Markdown;

/// <summary><c>markdown [--size 10,25,50,100,200] [--naive-max 50] [--rate 1000] [--breakdown 1] [--feed remote|in-process]</c>: benchmark 3, all arms side by side in one run.</summary>
public static class StreamingMarkdownCommand
{
    public static async Task<int> RunAsync(HarnessArgs args)
    {
        var sizes = args.Ints("size", [10, 25, 50, 100, 200]);
        var naiveMax = args.Int("naive-max", 50);
        var rate = args.Int("rate", 1000);
        var breakdown = args.Int("breakdown", 1) == 1;
        var remote = (args.Value("feed") ?? "remote") switch
        {
            "remote" => true,
            "in-process" => false,
            var other => throw new ArgumentException($"--feed must be remote or in-process, not '{other}'"),
        };
        Console.WriteLine(remote
            ? $"streaming Markdown: sizes {string.Join("/", sizes)} KB, deltas of 2–8 chars at {rate}/s as an OpenAI chat stream from a separate process, read by the app's ingest; run page open in Chromium"
            : $"streaming Markdown: sizes {string.Join("/", sizes)} KB, deltas of 2–8 chars at {rate}/s published into the app's hub by a pacing thread of this process; run page open in Chromium");
        await using var bench = await StreamingMarkdownBenchmark.StartAsync(remote);
        foreach (var arm in Enum.GetValues<MarkdownArm>())
        {
            // Warm-up (discarded): first use of every path (JIT, Markdig, the circuit) out of the figures.
            await bench.RunAsync(arm, 2, rate);
        }

        var results = new List<MarkdownArmResult>();
        foreach (var kb in sizes)
        {
            foreach (var arm in Enum.GetValues<MarkdownArm>())
            {
                if ((arm == MarkdownArm.Naive && kb > naiveMax) || (arm is MarkdownArm.ControlOnly or MarkdownArm.FeedOnly && !breakdown))
                {
                    continue;
                }

                var r = await bench.RunAsync(arm, kb, rate);
                Console.WriteLine($"  {arm,-11} {kb,4} KB: {r.Deltas} deltas in {r.Elapsed.TotalSeconds:0.0} s, CPU {r.ServerCpu.TotalSeconds:0.00} s (idle rate {r.IdleCpuPerSecond:0.00} s/s, net {r.NetCpuSeconds:0.00} s), {r.BytesToBrowser / 1024.0:0} KB in {r.Frames} frames");
                results.Add(r);
            }
        }

        Console.WriteLine(Report(results, sizes, naiveMax));
        return 0;
    }

    private static string Report(List<MarkdownArmResult> results, int[] sizes, int naiveMax)
    {
        MarkdownArmResult? Find(MarkdownArm arm, int kb) => results.Find(r => r.Arm == arm && r.Kilobytes == kb);
        static string Cpu(MarkdownArmResult r) => $"{r.ServerCpu.TotalSeconds:0.00} / {r.NetCpuSeconds:0.00}";
        static string Kb(double bytes) => (bytes / 1024).ToString("N0");

        // The naive arm is quadratic in the answer's length (each render sends the whole text so far),
        // so beyond the largest measured size it is extrapolated as c·n² from that size.
        var naiveBase = sizes.Where(kb => kb <= naiveMax).DefaultIfEmpty(0).Max();
        var table = new Table(
            "size", "ours CPU raw / net (s)", "control-only CPU raw / net (s)", "feed-only CPU raw / net (s)", "limit CPU raw / net (s)", "naive CPU raw / net (s)",
            "ours KB sent", "limit KB sent", "naive KB sent", "ours / limit CPU raw (net)", "ours / (feed-only + limit) CPU raw (net)", "ours / limit bytes", "naive / ours bytes");
        foreach (var kb in sizes)
        {
            var ours = Find(MarkdownArm.Ours, kb)!;
            var limit = Find(MarkdownArm.Limit, kb)!;
            var control = Find(MarkdownArm.ControlOnly, kb);
            var feedOnly = Find(MarkdownArm.FeedOnly, kb);
            string naiveCpu, naiveBytes;
            var naiveBytesValue = double.NaN;
            if (Find(MarkdownArm.Naive, kb) is { } naive)
            {
                naiveCpu = Cpu(naive);
                naiveBytesValue = naive.BytesToBrowser;
                naiveBytes = Kb(naiveBytesValue);
            }
            else if (Find(MarkdownArm.Naive, naiveBase) is { } measured)
            {
                var scale = Math.Pow((double)kb / naiveBase, 2);
                naiveCpu = $"≈{measured.NetCpuSeconds * scale:0.0} net (extrapolated)";
                naiveBytesValue = measured.BytesToBrowser * scale;
                naiveBytes = $"≈{Kb(naiveBytesValue)} (extrapolated)";
            }
            else
            {
                naiveCpu = naiveBytes = "-";
            }

            table.Add(
                $"{kb} KB",
                Cpu(ours),
                control is null ? "-" : Cpu(control),
                feedOnly is null ? "-" : Cpu(feedOnly),
                Cpu(limit),
                naiveCpu,
                Kb(ours.BytesToBrowser),
                Kb(limit.BytesToBrowser),
                naiveBytes,
                $"{ours.ServerCpu / limit.ServerCpu:0.0}× ({ours.NetCpuSeconds / Math.Max(0.01, limit.NetCpuSeconds):0.0}×)",
                // What no design avoids: ingesting the same deltas with no page open, plus one final render.
                feedOnly is null ? "-" : $"{ours.ServerCpu / (feedOnly.ServerCpu + limit.ServerCpu):0.00}× ({ours.NetCpuSeconds / Math.Max(0.01, feedOnly.NetCpuSeconds + limit.NetCpuSeconds):0.00}×)",
                $"{ours.BytesToBrowser / (double)limit.BytesToBrowser:0.00}×",
                double.IsNaN(naiveBytesValue) ? "-" : $"{naiveBytesValue / ours.BytesToBrowser:0.0}×");
        }

        return table.ToString();
    }
}
