using BenchmarkDotNet.Running;
using Dashboard.Benchmarks.Infrastructure;

namespace Dashboard.Benchmarks.Markdown;

/// <summary><c>markdown-micro</c>: what one Markdown conversion costs (BenchmarkDotNet), the breakdown of benchmark 3.</summary>
public static class MarkdownMicroCommand
{
    public static Task<int> RunAsync(HarnessArgs args)
    {
        var summary = BenchmarkRunner.Run<MarkdownConversionBenchmarks>();
        return Task.FromResult(summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success) ? 1 : 0);
    }
}
