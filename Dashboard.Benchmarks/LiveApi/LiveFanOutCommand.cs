using Dashboard.Benchmarks.FanOut;
using Dashboard.Benchmarks.Infrastructure;

namespace Dashboard.Benchmarks.LiveApi;

/// <summary>
/// <c>live-fanout [--subscribers 200] [--rate 1000] [--seconds 30] [--protocol json|messagepack] [--logs on]</c>: the
/// in-process hub fan-out (the limit) and then the SignalR live API at the same size, side by side.
/// </summary>
public static class LiveFanOutCommand
{
    public static async Task<int> RunAsync(HarnessArgs args)
    {
        var options = new LiveFanOutOptions(
            args.Int("subscribers", 200),
            args.Int("rate", 1000),
            TimeSpan.FromSeconds(args.Double("seconds", 30)),
            string.Equals(args.Value("protocol"), "messagepack", StringComparison.OrdinalIgnoreCase),
            args.Value("logs") == "on");
        Console.WriteLine($"live fan-out: {options.Subscribers} subscribers, {options.EventsPerSecond} events/s for {options.Duration.TotalSeconds} s, SignalR {(options.MessagePack ? "MessagePack" : "JSON")} over 127.0.0.1, clients in this process");

        var limit = await HubFanOut.RunAsync(new HubFanOutOptions(options.Subscribers, options.EventsPerSecond, options.Duration, Stalled: 0));
        Console.WriteLine($"in-process hub done, {MachineLoad.Describe()}");
        var live = await LiveFanOut.RunAsync(options);

        var table = new Table("measure", "in-process hub (limit)", "SignalR live API", "target (live API)");
        table.Add("events published", limit.Published, live.Published, "");
        table.Add("publish rate achieved (events/s)", limit.PublishedPerSecond, live.PublishedPerSecond, options.EventsPerSecond);
        table.Add("deliveries", limit.Delivered, live.Delivered, live.ExpectedDeliveries);
        table.Add("subscribers that lost any event", limit.LiveWithLoss, live.Lost, 0);
        table.Add("lag p50 (ms)", limit.Lag.Percentile(0.50), live.Lag.Percentile(0.50), "");
        table.Add("lag p95 (ms)", limit.Lag.Percentile(0.95), live.Lag.Percentile(0.95), "");
        table.Add("lag p99 (ms)", limit.Lag.Percentile(0.99), live.Lag.Percentile(0.99), "≤ 250");
        table.Add("lag max (ms)", limit.Lag.MaxMilliseconds, live.Lag.MaxMilliseconds, "");
        table.Add("process CPU time (s)", limit.CpuTime.TotalSeconds, live.CpuTime.TotalSeconds, "");
        table.Add("CPU per delivery (µs)", PerDelivery(limit.CpuTime, limit.Delivered), PerDelivery(live.CpuTime, live.Delivered), "");
        table.Add("connect and subscribe all (s)", "", live.ConnectTime.TotalSeconds, "");
        Console.WriteLine(table);
        Console.WriteLine("CPU of the live API column is the whole process: the server and every client's receive and JSON/MessagePack parse.");
        return 0;
    }

    private static double PerDelivery(TimeSpan cpu, long deliveries) =>
        deliveries == 0 ? double.NaN : cpu.TotalMilliseconds * 1000.0 / deliveries;
}
