using Dashboard.Benchmarks.Infrastructure;

namespace Dashboard.Benchmarks.Soak;

/// <summary><c>soak [--events 10000000] [--every 1000000] [--rate 20000] [--replay-window 00:05:00|off]</c>: benchmark 5 (history on unless the window is off; rate 0 = unpaced).</summary>
public static class SoakCommand
{
    public static async Task<int> RunAsync(HarnessArgs args)
    {
        var events = args.Long("events", 10_000_000);
        var every = args.Long("every", 1_000_000);
        var rate = args.Int("rate", 20_000);
        var windowText = args.Value("replay-window") ?? "00:05:00";
        TimeSpan? window = windowText == "off" ? null : TimeSpan.Parse(windowText, System.Globalization.CultureInfo.InvariantCulture);
        Console.WriteLine($"soak: {events:N0} codegen events {(rate > 0 ? $"at {rate:N0}/s" : "unpaced")} through the app's ingest runner → hub → projections{(window is null ? ", history off" : $" → SQLite history store (replay window {window:c}, retention running)")}, run page open in Chromium; sample every {every:N0}");
        Console.WriteLine($"at start: {MachineLoad.Describe()} (the machine is shared)");
        var r = await SoakBenchmark.RunAsync(new SoakOptions(events, every, window, rate), Console.WriteLine);

        var table = new Table("events", "elapsed (s)", "working set", "vs first sample", "managed heap", "store file", "dropped by the store");
        var first = r.Samples.Count > 0 ? r.Samples[0] : null;
        foreach (var s in r.Samples)
        {
            table.Add(s.Events, s.Seconds, ProcessMeter.Mb(s.WorkingSetBytes), $"{(s.WorkingSetBytes / (double)first!.WorkingSetBytes - 1) * 100:+0.0;-0.0}%", ProcessMeter.Mb(s.ManagedHeapBytes), ProcessMeter.Mb(s.StoreFileBytes), s.DroppedEvents);
        }

        Console.WriteLine(table);
        Console.WriteLine($"{r.Events:N0} events in {r.Elapsed.TotalSeconds:0} s = {r.Events / r.Elapsed.TotalSeconds:N0} events/s; run stage at end: {r.RunStageAtEnd}");
        if (first is not null)
        {
            var last = r.Samples[^1];
            var growth = last.WorkingSetBytes / (double)first.WorkingSetBytes - 1;
            Console.WriteLine($"flat (last within +10% of the first sample): {(growth <= 0.10 ? "yes" : "NO")} ({growth * 100:+0.0;-0.0}%)");
        }

        if (r.Store is { } store)
        {
            Console.WriteLine($"store: caught up {store.CaughtUpSeconds:0.0} s after the stream; {store.StoredEvents:N0} events replayable, oldest at {store.OldestAt:HH:mm:ss} UTC, window starts {store.WindowStart:HH:mm:ss} UTC; " +
                $"contiguous: {(store.Contiguous ? "yes" : "no (retention prunes during the read-back)")}; gaps inside the window (as of the read's end): {store.GapsInWindow}; every event inside the window present: {(store.WindowComplete ? "yes" : "NO")}; file {ProcessMeter.Mb(store.FileBytes)}");
            Console.WriteLine($"store: {store.DroppedEvents:N0} events dropped (writer queue full){(store.Writer is { } writer ? $"; writer: {writer.Describe()}" : "")}");
        }

        Console.WriteLine($"at end: {MachineLoad.Describe()}");
        var counts = new Table("moment", "hub subscriptions", "open circuits");
        counts.Add("before the page", r.BeforePage.Subscriptions, r.BeforePage.Circuits);
        counts.Add("page open, before the stream", r.WithPage.Subscriptions, r.WithPage.Circuits);
        counts.Add("after the stream, page still open", r.AfterStream.Subscriptions, r.AfterStream.Circuits);
        counts.Add("after the page closed (subscriptions given ≤ 30 s to go)", r.AfterPageClosed.Subscriptions, r.AfterPageClosed.Circuits);
        Console.WriteLine(counts);
        return 0;
    }
}
