using System.Diagnostics;
using Dashboard.Benchmarks.Infrastructure;
using Dashboard.Ingest;

namespace Dashboard.Benchmarks.Ingest;

/// <summary>
/// <c>ingest-profile [--workload Codegen|OpenAiChatTokens] [--arm B|decode|hub] [--seconds 20]</c>:
/// one arm of benchmark 1 in a loop for a while, with nothing else in the process, so a sampling
/// profiler attached to it (e.g. <c>dotnet-trace collect</c>) sees only that path. Prints the time
/// per event it saw; the figures of record come from <c>ingest</c>.
/// </summary>
public static class IngestProfileCommand
{
    public static async Task<int> RunAsync(HarnessArgs args)
    {
        var workload = Enum.Parse<IngestWorkload>(args.Value("workload") ?? nameof(IngestWorkload.OpenAiChatTokens), ignoreCase: true);
        var arm = args.Value("arm") ?? "B";
        var seconds = args.Double("seconds", 20);
        const int events = IngestThroughputBenchmarks.Events;
        await using var arms = await IngestArms.StartAsync();
        IStreamDecoder Decoder() => workload.NewDecoder();
        Func<Task> once = arm switch
        {
            "B" => () => arms.FullPathAsync(events, Decoder(), workload),
            "hub" => () => arms.DecodeToHubAsync(events, Decoder(), workload),
            "decode" => () => arms.DecodeOnlyAsync(events, Decoder(), workload),
            "A" => () => arms.BareParserAsync(events, workload),
            _ => throw new ArgumentException($"--arm must be A, decode, hub or B, not '{arm}'"),
        };

        var clock = Stopwatch.StartNew();
        var streams = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            await once();
            streams++;
        }

        Console.WriteLine($"ingest-profile {workload} arm {arm}: {streams} streams of {events:N0} events, {clock.Elapsed.TotalMilliseconds * 1e6 / ((double)streams * events):0} ns per event");
        return 0;
    }
}
