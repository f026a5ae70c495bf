using BenchmarkDotNet.Attributes;
using Dashboard.Backends.Codegen;
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

    [GlobalSetup]
    public void Setup()
    {
        _arms = IngestArms.StartAsync().GetAwaiter().GetResult();
        EventBytes = (double)_arms.StreamBytes(Events) / Events;
    }

    /// <summary>Average wire bytes per event of the stream (read by the MB/s column).</summary>
    public static double EventBytes { get; private set; }

    [GlobalCleanup]
    public void Cleanup() => _arms.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = Events, Description = "Transport only (socket drained)")]
    public Task<long> Transport() => _arms.TransportAsync(Events);

    [Benchmark(OperationsPerInvoke = Events, Baseline = true, Description = "A: bare parser")]
    public Task<long> BareParser() => _arms.BareParserAsync(Events);

    [Benchmark(OperationsPerInvoke = Events, Description = "breakdown: A + codegen decoder (events discarded)")]
    public Task<long> DecodeOnly() => _arms.DecodeOnlyAsync(Events, new CodegenDecoder());

    [Benchmark(OperationsPerInvoke = Events, Description = "breakdown: A + decoder + hub + projections + 1 subscriber (no runner)")]
    public Task<RunView> DecodeToHub() => _arms.DecodeToHubAsync(Events, new CodegenDecoder());

    [Benchmark(OperationsPerInvoke = Events, Description = "B: full path (runner, codegen decoder, hub, projections, 1 subscriber)")]
    public Task<RunView> FullPath() => _arms.FullPathAsync(Events, new CodegenDecoder());
}
