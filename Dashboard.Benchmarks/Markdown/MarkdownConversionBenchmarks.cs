using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Dashboard.Markdown;

namespace Dashboard.Benchmarks.Markdown;

/// <summary>
/// Breakdown of benchmark 3's server CPU: one conversion through the app's Markdown pipeline
/// (Markdig, then HtmlSanitizer), for a tail-sized block and for a whole 10 KB answer.
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class MarkdownConversionBenchmarks
{
    private readonly MarkdownHtml _html = new();
    private readonly string _answer = MarkdownCorpus.Build(10);
    private string _block = "";

    [GlobalSetup]
    public void Setup() => _block = _answer[.._answer.IndexOf("```", StringComparison.Ordinal)];

    [Benchmark(Description = "MarkdownHtml.ToHtml(one block: heading + paragraph + list + table, ~600 chars)")]
    public string Block() => _html.ToHtml(_block);

    [Benchmark(Description = "MarkdownHtml.ToHtml(whole 10 KB answer)")]
    public string Answer() => _html.ToHtml(_answer);

    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
    }
}
