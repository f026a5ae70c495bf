using Dashboard.Backends.Codegen;
using Dashboard.Benchmarks.FanOut;
using Dashboard.Benchmarks.Ingest;

namespace Dashboard.Tests.Benchmarks;

/// <summary>
/// Each benchmark runs end to end on a tiny size and produces what it claims to measure. Timing is
/// never asserted: the figures are the benchmark runs' business, published in BENCHMARKS.md.
/// </summary>
public sealed class BenchmarkSmokeTests
{
    private const int TinyStream = 50;

    [Fact]
    public async Task Ingest_arms_read_the_whole_stream()
    {
        await using var arms = await IngestArms.StartAsync();

        Assert.Equal(arms.StreamBytes(TinyStream), await arms.TransportAsync(TinyStream));
        Assert.Equal(TinyStream, await arms.BareParserAsync(TinyStream));

        Assert.Equal(TinyStream, await arms.DecodeOnlyAsync(TinyStream, new CodegenDecoder()));
        Assert.Equal(TinyStream, (await arms.DecodeToHubAsync(TinyStream, new CodegenDecoder())).Timeline.Count);

        var run = await arms.FullPathAsync(TinyStream, new CodegenDecoder());
        Assert.Equal(CodegenProgressStream.TerminalStage, run.Stage);
        Assert.Equal(TinyStream, run.Timeline.Count);
        Assert.Equal(0, arms.SubscriberDropped);
    }

    [Fact]
    public async Task Hub_fan_out_delivers_everything_to_live_subscribers_and_bounds_the_stalled_one()
    {
        // Live queues hold the whole run, so a busy test machine cannot make them drop: nothing may be lost.
        var result = await HubFanOut.RunAsync(new HubFanOutOptions(
            Subscribers: 5, EventsPerSecond: 2000, Duration: TimeSpan.FromSeconds(0.6), Stalled: 1, LiveQueueCapacity: 2000));

        Assert.Equal(1200, result.Published);
        Assert.Equal(result.ExpectedDeliveries, result.Delivered);
        Assert.Equal(4 * 1200, result.Delivered);
        Assert.Equal(0, result.LiveWithLoss);
        Assert.Equal(result.Delivered, result.Lag.Count);
        Assert.InRange(result.StalledQueueMax, 1, result.QueueCapacity);
        Assert.Equal(1200 - result.QueueCapacity, result.StalledDropped);
    }
}
