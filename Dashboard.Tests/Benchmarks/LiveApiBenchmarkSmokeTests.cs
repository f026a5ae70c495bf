using Dashboard.Benchmarks.LiveApi;

namespace Dashboard.Tests.Benchmarks;

/// <summary>
/// The live event API benchmarks run end to end on a tiny size (real app, real loopback sockets,
/// real SignalR and HTTP clients) and produce what they claim to measure. Timing is never asserted.
/// </summary>
public sealed class LiveApiBenchmarkSmokeTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Signalr_fan_out_delivers_every_tick_once_and_in_order_to_every_subscriber(bool messagePack)
    {
        var result = await LiveFanOut.RunAsync(new LiveFanOutOptions(Subscribers: 3, EventsPerSecond: 200, Duration: TimeSpan.FromSeconds(0.5), messagePack));

        Assert.Equal(100, result.Published);
        Assert.Equal(3 * 100, result.ExpectedDeliveries);
        Assert.Equal(result.ExpectedDeliveries, result.Delivered);
        Assert.Equal(0, result.Lost);
        Assert.Equal(result.Delivered, result.Lag.Count);
    }

    [Fact]
    public async Task Signalr_fan_out_with_the_clients_in_a_process_of_their_own_delivers_every_tick_and_measures_both_processes()
    {
        var result = await LiveFanOut.RunAsync(new LiveFanOutOptions(Subscribers: 3, EventsPerSecond: 200, Duration: TimeSpan.FromSeconds(0.5), ClientsInOwnProcess: true));

        Assert.Equal(3 * 100, result.ExpectedDeliveries);
        Assert.Equal(result.ExpectedDeliveries, result.Delivered);
        Assert.Equal(0, result.Lost);
        Assert.Empty(result.Errors);
        Assert.Equal(result.Delivered, result.Lag.Count);
        Assert.NotNull(result.ClientCpuSeconds);
        Assert.True(result.ClientCpuSeconds > 0, $"the clients' process used CPU: {result.ClientCpuSeconds} s");
    }

    [Fact]
    public async Task Sse_export_arms_read_the_same_whole_stream()
    {
        var result = await SseExport.RunAsync(new SseExportOptions(Events: 250, EventsPerRun: 100, Repeat: 1));

        // 250 deltas in 3 runs, each with its run.created and run.ended.
        Assert.Equal(250 + (2 * 3), result.ExpectedItems);
        var parsed = Assert.Single(result.ParserOnSocket);
        var raw = Assert.Single(result.RawOnSocket);
        var memory = Assert.Single(result.ParserInMemory);
        Assert.Equal(result.ExpectedItems, parsed.Items);
        Assert.True(parsed.Bytes > 250 * 60, $"each live event is a JSON line of more than 60 bytes; {parsed.Bytes} bytes in all");
        Assert.Equal(parsed.Bytes, raw.Bytes);
        Assert.Equal(parsed.Bytes, memory.Bytes);
        Assert.Equal(result.ExpectedItems, memory.Items);
    }
}
