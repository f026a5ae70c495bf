using System.Globalization;
using Dashboard.Benchmarks.Browser;
using Dashboard.Benchmarks.FanOut;
using Dashboard.Benchmarks.Infrastructure;
using Dashboard.Benchmarks.Ingest;
using Dashboard.Benchmarks.Markdown;
using Dashboard.Benchmarks.Soak;

namespace Dashboard.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project Dashboard.Benchmarks -- &lt;name&gt; [options]</c>. The
/// BenchmarkDotNet micro measures and the end-to-end harnesses share this entry point.
/// </summary>
public static class BenchmarkProgram
{
    private static readonly Dictionary<string, Func<HarnessArgs, Task<int>>> Commands = new(StringComparer.Ordinal)
    {
        ["ingest"] = IngestCommand.RunAsync,
        ["ingest-profile"] = IngestProfileCommand.RunAsync,
        ["dialects"] = DialectDecodeCommand.RunAsync,
        ["fanout"] = HubFanOutCommand.RunAsync,
        ["latency"] = BrowserLatencyCommands.LatencyAsync,
        ["browser-fanout"] = BrowserLatencyCommands.FanOutAsync,
        ["page-cost"] = PageCostCommand.RunAsync,
        ["soak"] = SoakCommand.RunAsync,
        ["markdown"] = StreamingMarkdownCommand.RunAsync,
        ["markdown-micro"] = MarkdownMicroCommand.RunAsync,
        ["markdown-upstream"] = MarkdownUpstream.ServeAsync,
        ["history"] = Dashboard.Benchmarks.History.HistoryCommand.RunAsync,
        ["store-append"] = Dashboard.Benchmarks.Storage.StoreAppendCommand.RunAsync,
        ["live-fanout"] = Dashboard.Benchmarks.LiveApi.LiveFanOutCommand.RunAsync,
        ["live-fanout-clients"] = Dashboard.Benchmarks.LiveApi.LiveClientProcess.ServeAsync,
        ["sse-export"] = Dashboard.Benchmarks.LiveApi.SseExportCommand.RunAsync,
        ["failover"] = Dashboard.Benchmarks.ScaleOut.FailoverCommand.RunAsync,
        ["replica-latency"] = Dashboard.Benchmarks.ScaleOut.ReplicaLatencyCommand.RunAsync,
    };

    /// <summary>Harnesses that time the app's own ingest path in this process: they run with the app's GC (<see cref="AppGc"/>).</summary>
    private static readonly HashSet<string> WithAppGc = new(StringComparer.Ordinal) { "ingest", "ingest-profile" };

    public static async Task<int> Main(string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        if (args.Length == 0 || !Commands.TryGetValue(args[0], out var command))
        {
            Console.Error.WriteLine("usage: dotnet run -c Release --project Dashboard.Benchmarks -- <name> [options]");
            Console.Error.WriteLine("names: " + string.Join(", ", Commands.Keys));
            return 2;
        }

        if (WithAppGc.Contains(args[0]) && !AppGc.IsActive)
        {
            return await AppGc.RunChildAsync(args);
        }

        Console.WriteLine($"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}, {AppGc.Describe()}, {MachineLoad.Describe()}");
        var status = await command(new HarnessArgs(args[1..]));
        Console.WriteLine($"finished {DateTimeOffset.UtcNow:HH:mm} UTC, {MachineLoad.Describe()}");
        return status;
    }
}
