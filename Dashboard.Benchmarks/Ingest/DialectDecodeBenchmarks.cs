using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Dashboard.Ingest;

namespace Dashboard.Benchmarks.Ingest;

/// <summary>
/// Issue 15's point 1 for the LLM dialects: the decoder alone, one answer of <see cref="Items"/>
/// items (one operation = one item, so Mean is the time per item and Allocated the bytes per item,
/// the published events' own share included), read in one pass with Utf8JsonReader, next to the
/// same decoder reading each item through a JsonDocument as before.
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class DialectDecodeBenchmarks
{
    public const int Items = 1_000;

    private SseItem[] _items = [];

    [Params(LlmDialect.Anthropic, LlmDialect.OpenAiResponses, LlmDialect.Forge)]
    public LlmDialect Dialect { get; set; }

    [GlobalSetup]
    public void Setup() => _items = DialectStreams.Build(Dialect, Items);

    [Benchmark(OperationsPerInvoke = Items, Baseline = true, Description = "JsonDocument per item (before)")]
    public int Document() => DialectStreams.Decode(DialectStreams.DocumentDecoder(Dialect), _items);

    [Benchmark(OperationsPerInvoke = Items, Description = "Utf8JsonReader, one pass (now)")]
    public int Reader() => DialectStreams.Decode(DialectStreams.Decoder(Dialect), _items);

    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
    }
}
