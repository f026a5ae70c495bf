using Dashboard.Benchmarks.FanOut;
using Dashboard.Benchmarks.Infrastructure;

namespace Dashboard.Benchmarks.LiveApi;

/// <summary>
/// <c>live-fanout [--subscribers 200] [--rate 1000] [--seconds 30] [--protocol json|messagepack] [--clients process|same]
/// [--stateful on|off] [--limit on|off] [--logs on]</c>: the in-process hub fan-out (the limit), the per-delivery
/// cost of mapping and writing one item, then the SignalR live API at the same size, side by side.
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
            args.Value("logs") == "on",
            ClientsInOwnProcess: args.Value("clients") != "same",
            Stateful: args.Value("stateful") != "off");
        Console.WriteLine($"live fan-out: {options.Subscribers} subscribers, {options.EventsPerSecond} events/s for {options.Duration.TotalSeconds} s, " +
            $"SignalR {(options.MessagePack ? "MessagePack" : "JSON")} over 127.0.0.1, stateful reconnect {(options.Stateful ? "on" : "off")}, " +
            $"clients {(options.ClientsInOwnProcess ? "in a process of their own" : "in this process")}");

        HubFanOutResult? limit = null;
        if (args.Value("limit") != "off")
        {
            limit = await HubFanOut.RunAsync(new HubFanOutOptions(options.Subscribers, options.EventsPerSecond, options.Duration, Stalled: 0));
            Console.WriteLine($"in-process hub done, {MachineLoad.Describe()}");
        }

        await using (var app = LiveBenchApp.Start())
        {
            var cost = LiveDeliveryCost.Measure(app.Services, 200_000);
            Console.WriteLine($"one delivery's own work, one thread (µs): map {cost.MapMicros:0.00} alone, {cost.SharedMapMicros:0.00} shared; " +
                $"write a stream item: JSON {cost.JsonMicros:0.00} alone, {cost.SharedJsonMicros:0.00} shared ({cost.JsonBytes} bytes); " +
                $"MessagePack {cost.MessagePackMicros:0.00} alone, {cost.SharedMessagePackMicros:0.00} shared ({cost.MessagePackBytes} bytes)");
        }

        var live = await LiveFanOut.RunAsync(options);
        Console.WriteLine($"live API done, {MachineLoad.Describe()}");

        var table = new Table("measure", "in-process hub (limit)", "SignalR live API", "target (live API)");
        table.Add("events published", Or(limit?.Published), live.Published, "");
        table.Add("publish rate achieved (events/s)", Or(limit?.PublishedPerSecond), live.PublishedPerSecond, options.EventsPerSecond);
        table.Add("deliveries", Or(limit?.Delivered), live.Delivered, live.ExpectedDeliveries);
        table.Add("subscribers that lost any event", Or(limit?.LiveWithLoss), live.Lost, 0);
        table.Add("lag p50 (ms)", Or(limit?.Lag.Percentile(0.50)), live.Lag.P50, "");
        table.Add("lag p95 (ms)", Or(limit?.Lag.Percentile(0.95)), live.Lag.P95, "");
        table.Add("lag p99 (ms)", Or(limit?.Lag.Percentile(0.99)), live.Lag.P99, "≤ 250");
        table.Add("lag max (ms)", Or(limit?.Lag.MaxMilliseconds), live.Lag.Max, "");
        table.Add(options.ClientsInOwnProcess ? "server process CPU time (s)" : "process CPU time (s)", Or(limit?.CpuTime.TotalSeconds), live.CpuTime.TotalSeconds, "");
        table.Add(options.ClientsInOwnProcess ? "server CPU per delivery (µs)" : "CPU per delivery (µs)", Or(limit is null ? null : PerDelivery(limit.CpuTime.TotalSeconds, limit.Delivered)), PerDelivery(live.CpuTime.TotalSeconds, live.Delivered), "");
        if (live.ClientCpuSeconds is { } clients)
        {
            table.Add("clients' process CPU time (s)", "", clients, "");
            table.Add("clients' CPU per delivery (µs)", "", PerDelivery(clients, live.Delivered), "");
        }

        table.Add("connect and subscribe all (s)", "", live.ConnectTime.TotalSeconds, "");
        Console.WriteLine(table);
        Console.WriteLine(options.ClientsInOwnProcess
            ? "Server CPU is the app's process alone (the publisher included); the clients' receive and parse are in theirs."
            : "CPU of the live API column is the whole process: the server and every client's receive and JSON/MessagePack parse.");
        return 0;
    }

    private static object Or(object? value) => value ?? "";

    private static double PerDelivery(double cpuSeconds, long deliveries) =>
        deliveries == 0 ? double.NaN : cpuSeconds * 1_000_000.0 / deliveries;
}
