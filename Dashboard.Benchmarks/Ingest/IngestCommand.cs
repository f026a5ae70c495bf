using BenchmarkDotNet.Running;
using Dashboard.Benchmarks.Infrastructure;

namespace Dashboard.Benchmarks.Ingest;

/// <summary><c>ingest</c>: benchmark 1 with BenchmarkDotNet; prints its summary table (Ratio is time per event relative to arm A).</summary>
public static class IngestCommand
{
    public static Task<int> RunAsync(HarnessArgs args)
    {
        var summary = BenchmarkRunner.Run<IngestThroughputBenchmarks>();
        return Task.FromResult(summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success) ? 1 : 0);
    }
}
