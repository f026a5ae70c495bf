using BenchmarkDotNet.Attributes;
using Dashboard.Ingest;
using Dashboard.State;

namespace Dashboard.Benchmarks.Ingest;

/// <summary>
/// Benchmark 1 (BenchmarkDotNet). One operation = one event: each invocation reads a whole stream
/// of <see cref="Events"/> events, so Mean is the time per event and Allocated the bytes per event
/// (the whole process: the loopback upstream's share is what the Transport arm shows).
/// </summary>
[Config(typeof(IngestBenchmarkConfig))]
public class IngestThroughputBenchmarks
{
    public const int Events = 100_000;

    private IngestArms _arms = null!;

    /// <summary>Codegen progress events (~340 B), or OpenAI chat chunks of one token each (~200 B).</summary>
    [Params(IngestWorkload.Codegen, IngestWorkload.OpenAiChatTokens)]
    public IngestWorkload Workload { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _arms = IngestArms.StartAsync().GetAwaiter().GetResult();
        EventBytes = (double)_arms.StreamBytes(Events, Workload) / Events;
    }

    private IStreamDecoder Decoder() => Workload.NewDecoder();

    /// <summary>Average wire bytes per event of the stream (read by the MB/s column).</summary>
    public static double EventBytes { get; private set; }

    [GlobalCleanup]
    public void Cleanup() => _arms.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = Events, Description = "Transport only (socket drained)")]
    public Task<long> Transport() => _arms.TransportAsync(Events, Workload);

    [Benchmark(OperationsPerInvoke = Events, Baseline = true, Description = "A: bare parser")]
    public Task<long> BareParser() => _arms.BareParserAsync(Events, Workload);

    [Benchmark(OperationsPerInvoke = Events, Description = "breakdown: A + decoder (events discarded)")]
    public Task<long> DecodeOnly() => _arms.DecodeOnlyAsync(Events, Decoder(), Workload);

    [Benchmark(OperationsPerInvoke = Events, Description = "breakdown: A + decoder + hub + projections + 1 subscriber (no runner)")]
    public Task<RunView> DecodeToHub() => _arms.DecodeToHubAsync(Events, Decoder(), Workload);

    [Benchmark(OperationsPerInvoke = Events, Description = "B: full path (runner, decoder, hub, projections, 1 subscriber)")]
    public Task<RunView> FullPath() => _arms.FullPathAsync(Events, Decoder(), Workload);
}
