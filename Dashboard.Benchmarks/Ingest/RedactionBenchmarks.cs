using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Dashboard.Configuration;
using Dashboard.Security;
using Microsoft.Extensions.Options;

namespace Dashboard.Benchmarks.Ingest;

/// <summary>
/// Breakdown of benchmark 1's runner cost: <see cref="SecretRedactor.Redact"/> on one codegen event,
/// the per-item cost the inspector paid on the ingest path until it moved redaction to read time
/// (BENCHMARKS.md compares both).
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class RedactionBenchmarks
{
    private readonly SecretRedactor _redactor = new(Options.Create(new DashboardOptions()));
    private readonly string _event = Encoding.UTF8.GetString(CodegenProgressStream.Build(2)).Split("\n\n")[0]["data: ".Length..];

    [Benchmark(Description = "SecretRedactor.Redact(one codegen event, ~340 chars)")]
    public string Redact() => _redactor.Redact(_event);

    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
    }
}
