using Dashboard.Benchmarks.Infrastructure;

namespace Dashboard.Benchmarks.FanOut;

/// <summary><c>fanout [--subscribers 1000] [--rate 1000] [--seconds 30] [--stalled 1]</c></summary>
public static class HubFanOutCommand
{
    public static async Task<int> RunAsync(HarnessArgs args)
    {
        var options = new HubFanOutOptions(
            args.Int("subscribers", 1000),
            args.Int("rate", 1000),
            TimeSpan.FromSeconds(args.Double("seconds", 30)),
            args.Int("stalled", 1));
        Console.WriteLine($"fan-out: {options.Subscribers} subscribers ({options.Stalled} stalled), {options.EventsPerSecond} events/s for {options.Duration.TotalSeconds} s");
        var r = await HubFanOut.RunAsync(options);

        var table = new Table("measure", "value", "target");
        table.Add("events published", r.Published, "");
        table.Add("publish rate achieved (events/s)", r.PublishedPerSecond, options.EventsPerSecond);
        table.Add("deliveries to live subscribers", r.Delivered, r.ExpectedDeliveries);
        table.Add("live subscribers that lost any event", r.LiveWithLoss, 0);
        table.Add("lag p50 (ms)", r.Lag.Percentile(0.50), "");
        table.Add("lag p95 (ms)", r.Lag.Percentile(0.95), "");
        table.Add("lag p99 (ms)", r.Lag.Percentile(0.99), "≤ 100");
        table.Add("lag max (ms)", r.Lag.MaxMilliseconds, "");
        table.Add("stalled queue length at end / max seen", $"{r.StalledQueueLength} / {r.StalledQueueMax}", $"≤ {r.QueueCapacity} (capacity)");
        table.Add("stalled queue bytes (16 B slots; events are shared)", (long)r.StalledQueueMax * 16, "");
        table.Add("stalled notifications dropped (merged)", r.StalledDropped, "");
        table.Add("managed heap start / max / end", $"{ProcessMeter.Mb(r.ManagedBytesAtStart)} / {ProcessMeter.Mb(r.ManagedBytesMax)} / {ProcessMeter.Mb(r.ManagedBytesAtEnd)}", "bounded");
        table.Add("process CPU time (s)", r.CpuTime.TotalSeconds, "");
        Console.WriteLine(table);
        return 0;
    }
}
