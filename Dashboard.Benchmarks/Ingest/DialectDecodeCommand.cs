using BenchmarkDotNet.Running;
using Dashboard.Benchmarks.Infrastructure;

namespace Dashboard.Benchmarks.Ingest;

/// <summary><c>dialects</c>: each LLM dialect's decoder, one pass with Utf8JsonReader against a JsonDocument per item (BenchmarkDotNet); Ratio is time per item relative to the JsonDocument arm.</summary>
public static class DialectDecodeCommand
{
    public static Task<int> RunAsync(HarnessArgs args)
    {
        var summary = BenchmarkRunner.Run<DialectDecodeBenchmarks>();
        return Task.FromResult(summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success) ? 1 : 0);
    }
}
