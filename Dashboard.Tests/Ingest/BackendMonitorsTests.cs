using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Ingest.Monitoring;
using Dashboard.Ingest.Sse;
using Dashboard.Security;
using Dashboard.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Dashboard.Tests.Ingest;

public sealed class BackendMonitorsTests : IDisposable
{
    private const string Secret = "sk-test-SECRET-4242";

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));
    private readonly RecordingSink _sink = new();
    private readonly BackendMonitors _monitors;

    public BackendMonitorsTests()
    {
        var options = Options.Create(new DashboardOptions
        {
            Backends = [new BackendOptions { Name = "configured", Kind = "openai-chat", ApiKey = Secret }],
            Limits = new LimitsOptions { InspectorCapacity = 3, InspectorDataChars = 10 },
        });
        _monitors = new BackendMonitors(options, new SecretRedactor(options), _sink, _clock, new IngestTimings(), NullLogger<BackendMonitors>.Instance);
    }

    public void Dispose() => _monitors.Dispose();

    [Fact]
    public void Configured_backends_show_before_their_first_connection()
    {
        Assert.True(_monitors.HasBackend("configured"));
        var health = Assert.Single(_sink.Health("configured"));
        Assert.Equal(new BackendHealth("configured", "openai-chat", BackendState.Idle, null, 0, 0, 0, 0, null, false), health);
    }

    [Fact]
    public void Register_publishes_and_re_register_updates_kind_and_demo_flag()
    {
        var monitor = _monitors.Register("demo", "codedreamer", isDemo: true);
        Assert.Same(monitor, _monitors.Register("demo", "codedreamer", isDemo: true));
        Assert.Single(_sink.Health("demo"));
        _monitors.Register("demo", "codegen", isDemo: false);
        var last = _sink.Health("demo")[^1];
        Assert.Equal("codegen", last.Kind);
        Assert.False(last.IsDemo);
        Assert.Equal(BackendMonitors.UnknownKind, _monitors.For("never-configured").Kind);
    }

    [Fact]
    public void State_is_the_union_of_open_streams_and_each_change_publishes_at_once()
    {
        var monitor = _monitors.Register("b", "codegen", false);
        var first = monitor.OpenStream();
        Assert.Equal(BackendState.Connecting, _sink.Health("b")[^1].State);

        var second = monitor.OpenStream(BackendState.Reconnecting);
        first.Set(BackendState.Connected);
        Assert.Equal(BackendState.Connected, monitor.State);
        Assert.Equal(BackendState.Connected, _sink.Health("b")[^1].State);

        first.Close(BackendState.Idle);
        Assert.Equal(BackendState.Reconnecting, _sink.Health("b")[^1].State);

        second.Close(BackendState.Failed);
        Assert.Equal(BackendState.Failed, _sink.Health("b")[^1].State);

        monitor.OpenStream().Dispose();
        Assert.Equal(BackendState.Stopped, monitor.State);
        Assert.Equal(
            [BackendState.Idle, BackendState.Connecting, BackendState.Connected, BackendState.Reconnecting, BackendState.Failed, BackendState.Connecting, BackendState.Stopped],
            _sink.Health("b").Select(h => h.State));
    }

    [Fact]
    public void Counters_publish_at_most_once_per_interval_with_a_final_publish()
    {
        var monitor = _monitors.Register("b", "sse", false);
        var published = _sink.Health("b").Count;
        for (var i = 0; i < 100; i++)
        {
            monitor.RecordItem(new SseItem("message", "x", ""));
        }

        Assert.Equal(published, _sink.Health("b").Count);
        _clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(published, _sink.Health("b").Count);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(published + 1, _sink.Health("b").Count);
        Assert.Equal(100, _sink.Health("b")[^1].EventsReceived);
        Assert.Equal(_clock.GetUtcNow().AddSeconds(-1), _sink.Health("b")[^1].LastEventAt);

        monitor.RecordReconnect();
        monitor.RecordItem(new SseItem("message", "y", ""));
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(published + 2, _sink.Health("b").Count);
        Assert.Equal(101, _sink.Health("b")[^1].EventsReceived);
        Assert.Equal(1, _sink.Health("b")[^1].Reconnects);

        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(published + 2, _sink.Health("b").Count);
    }

    [Fact]
    public void Inspector_ring_is_bounded_and_counts_evictions()
    {
        var monitor = _monitors.Register("b", "sse", false);
        for (var i = 1; i <= 5; i++)
        {
            Assert.Equal(i, monitor.RecordItem(new SseItem("message", $"d{i}", $"{i}")));
        }

        Assert.Equal([3L, 4, 5], _monitors.Recent("b", 100).Select(r => r.Seq));
        Assert.Equal(["d4", "d5"], _monitors.Recent("b", 2).Select(r => r.Data));
        Assert.Equal([4L, 5], _monitors.After("b", 3, 10).Select(r => r.Seq));
        Assert.Equal([3L], _monitors.After("b", 0, 1).Select(r => r.Seq));
        Assert.Empty(_monitors.After("b", 5, 10));
        Assert.Equal(2, _monitors.Evicted("b"));
        Assert.Empty(_monitors.Recent("nobody", 10));
        Assert.False(_monitors.HasBackend("nobody"));
    }

    [Fact]
    public void Inspector_data_is_cut_and_redacted()
    {
        var monitor = _monitors.Register("b", "sse", false);
        monitor.RecordItem(new SseItem("message", "0123456789abc", "id"));
        monitor.RecordItem(new SseItem("message", "k " + Secret + " tail", "id"));
        monitor.RecordItem(new SseItem("message", "short", Secret));

        var records = _monitors.Recent("b", 3);
        Assert.Equal("0123456789", records[0].Data);
        Assert.True(records[0].DataTruncated);
        Assert.DoesNotContain("SECRET", records[1].Data, StringComparison.Ordinal);
        Assert.StartsWith("k " + SecretRedactor.Mask, records[1].Data, StringComparison.Ordinal);
        Assert.Equal("short", records[2].Data);
        Assert.False(records[2].DataTruncated);
        Assert.Equal(SecretRedactor.Mask, records[2].Id);
    }

    [Fact]
    public void Last_error_is_redacted_and_published_at_once()
    {
        var monitor = _monitors.Register("b", "sse", false);
        monitor.ReportError($"401 from http://host/x?api_key={Secret}: bad key {Secret}");
        var error = _sink.Health("b")[^1].LastError;
        Assert.NotNull(error);
        Assert.DoesNotContain(Secret, error, StringComparison.Ordinal);
        Assert.Contains("401", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_errors_and_oversized_items_are_noted_and_counted()
    {
        var monitor = _monitors.Register("b", "sse", false);
        var seq = monitor.RecordItem(new SseItem("message", "{bad", ""));
        monitor.RecordDecodeError(seq, "'b' is an invalid start of a value");
        monitor.RecordOversized(new SseOversized("big", "7", 5_000_000, "event too large"));

        var records = _monitors.Recent("b", 10);
        Assert.StartsWith("decode error: ", records[0].Note, StringComparison.Ordinal);
        Assert.Equal("{bad", records[0].Data);
        Assert.Equal("big", records[1].Type);
        Assert.Equal("oversized: dropped (event too large, 5000000 bytes)", records[1].Note);

        var health = monitor.Health;
        Assert.Equal(1, health.DecodeErrors);
        Assert.Equal(1, health.OversizedDropped);
        Assert.Equal(1, health.EventsReceived);
    }

    [Fact]
    public async Task Concurrent_streams_count_exactly()
    {
        var monitor = _monitors.Register("b", "sse", false);
        var streams = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            using var tracker = monitor.OpenStream();
            tracker.Set(BackendState.Connected);
            for (var i = 0; i < 1000; i++)
            {
                monitor.RecordItem(new SseItem("message", "x", ""));
            }

            tracker.Close(BackendState.Idle);
        }));
        await Task.WhenAll(streams).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(8000, monitor.Health.EventsReceived);
        Assert.Equal(BackendState.Idle, monitor.State);
        Assert.Equal(3, _monitors.Recent("b", 100).Count);
        Assert.Equal(7997, _monitors.Evicted("b"));
    }
}
