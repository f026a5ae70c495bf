using BenchmarkDotNet.Running;
using Dashboard.Benchmarks.Infrastructure;

namespace Dashboard.Benchmarks.Ingest;

/// <summary><c>ingest</c>: benchmark 1 with BenchmarkDotNet, then the redaction breakdown; prints the summary tables (Ratio is time per event relative to arm A).</summary>
public static class IngestCommand
{
    public static Task<int> RunAsync(HarnessArgs args)
    {
        var summaries = new[] { BenchmarkRunner.Run<IngestThroughputBenchmarks>(), BenchmarkRunner.Run<RedactionBenchmarks>() };
        return Task.FromResult(summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0);
    }
}
