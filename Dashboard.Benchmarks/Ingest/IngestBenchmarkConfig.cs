using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Dashboard.Benchmarks.Ingest;

/// <summary>
/// In-process (the benchmark needs the app's assembly and a loopback server, and a generated
/// out-of-process project would inherit the repo's analyzers), one stream per invocation, a bounded
/// number of iterations so the run stays within minutes on a shared 2-core machine. The job names
/// the app's GC (server, concurrent); an in-process toolchain cannot switch the GC of the process it
/// runs in, so the <c>ingest</c> command starts this program with it (<see cref="Infrastructure.AppGc"/>)
/// and BenchmarkDotNet's environment line ("GC=Concurrent Server") shows what ran.
/// </summary>
public sealed class IngestBenchmarkConfig : ManualConfig
{
    public IngestBenchmarkConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithGcServer(true)
            .WithGcConcurrent(true)
            .WithStrategy(RunStrategy.Monitoring)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithWarmupCount(3)
            .WithIterationCount(20));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(new ThroughputColumn("Events/s", 1.0), new ThroughputColumn("MB/s", 0));
        AddColumnProvider(DefaultColumnProviders.Instance);
        WithOptions(ConfigOptions.DisableOptimizationsValidator);
    }

    /// <summary>Events/s and MB/s from the mean time per event.</summary>
    private sealed class ThroughputColumn(string name, double perEvent) : IColumn
    {
        public string Id => nameof(ThroughputColumn) + name;

        public string ColumnName => name;

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => name == "MB/s" ? "Wire megabytes (10^6 B) per second" : "Events per second";

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            var stats = summary[benchmarkCase]?.ResultStatistics;
            if (stats is null)
            {
                return "-";
            }

            var eventsPerSecond = 1e9 / stats.Mean;
            var value = perEvent > 0 ? eventsPerSecond : eventsPerSecond * IngestThroughputBenchmarks.EventBytes / 1e6;
            return value.ToString(value >= 100 ? "N0" : "0.0");
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
    }
}
