using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Dashboard.Tests.LiveApi;

/// <summary>A real app with a 30-event replay window and a fake clock: expired cursors, slow clients, heartbeats.</summary>
public sealed class ReplayWindowTests : IAsyncLifetime
{
    private const int Window = 30;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    private TestApp _server = null!;
    private Uri _base = null!;
    private HttpClient _http = null!;

    private IDomainEventSink Sink => _server.Services.GetRequiredService<IDomainEventSink>();

    private IEventReplay Replay => _server.Services.GetRequiredService<IEventReplay>();

    public Task InitializeAsync()
    {
        _server = new TestApp(new Dictionary<string, string?> { ["Dashboard:LiveApi:ReplayMaxEvents"] = Window.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            Demo = false,
            ExtraServices = services => services.AddSingleton<TimeProvider>(_clock),
        };
        _base = LiveClients.BaseUri(_server);
        _http = LiveClients.Http(_base);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private void Text(string backend, string runId, string text) =>
        Sink.Publish(new RunTextReceived { Backend = backend, At = _clock.GetUtcNow(), RunId = runId, Text = text });

    [Theory]
    [InlineData("sse")]
    [InlineData("json")]
    [InlineData("messagepack")]
    public async Task An_expired_cursor_gets_a_snapshot(string transport)
    {
        var expired = Replay.LastSequence;
        Sink.Publish(new RunCreated { Backend = "expiry", At = _clock.GetUtcNow(), RunId = "exp", Prompt = "p" });
        for (var i = 0; i < Window + 5; i++)
        {
            Text("expiry", "exp", "x");
        }

        Assert.True(Replay.FirstSequence - 1 > expired);
        Received first;
        if (transport == "sse")
        {
            await using var sse = await SseConnection.OpenAsync(_http, $"api/events?from={expired}&instance={Replay.Instance}&backend=expiry");
            first = (await sse.NextAsync())!;
            var text = (await sse.NextAsync())!;
            Assert.Equal(new string('x', Window + 5), text.Str("snapshot"));
        }
        else
        {
            await using var hub = LiveClients.Hub(_base, transport == "messagepack");
            await hub.StartAsync();
            await using var subscription = HubSubscription.Open(hub, new { backends = new[] { "expiry" }, fromSequence = expired, instance = Replay.Instance });
            first = await subscription.NextAsync();
        }

        Assert.Equal("snapshot", first.Type);
        Assert.Equal("exp", Assert.Single(first.Data.GetProperty("runs").EnumerateArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_client_out_of_the_window_gets_a_gap_and_never_slows_the_others()
    {
        const string backend = "slow";
        var piece = new string('y', 64 * 1024);
        var start = Replay.LastSequence;
        Sink.Publish(new RunCreated { Backend = backend, At = _clock.GetUtcNow(), RunId = "slow-run", Prompt = "p" });

        // The slow client connects and then reads nothing until the end.
        await using var slow = await SseConnection.OpenAsync(_http, $"api/events?from={start}&backend={backend}");
        await using var fast = await SseConnection.OpenAsync(_http, $"api/events?from={start}&backend={backend}");
        Assert.Equal("run.created", (await fast.NextAsync())!.Type);

        // 400 × 64 KB is far more than the socket buffers and the window: the slow one falls out.
        // The fast one gets every event, one after the other, while the slow one is stuck.
        for (var i = 0; i < 400; i++)
        {
            Text(backend, "slow-run", piece);
            var e = (await fast.NextAsync())!;
            Assert.Equal((Replay.LastSequence, "run.text", piece), (e.Sequence, e.Type, e.Str("delta")));
        }

        var events = new List<Received>();
        while (await slow.NextAsync() is { } e)
        {
            events.Add(e);
        }

        // In order and without holes up to the gap; the gap names what was missed; then SSE closes.
        var gap = events[^1];
        Assert.Equal("gap", gap.Type);
        var delivered = events[..^1];
        Assert.Equal(Enumerable.Range(1, delivered.Count).Select(i => start + i), delivered.Select(e => e.Sequence));
        Assert.Equal(delivered[^1].Sequence + 1, gap.Data.GetProperty("fromSequence").GetInt64());
        Assert.True(gap.Data.GetProperty("toSequence").GetInt64() >= gap.Data.GetProperty("fromSequence").GetInt64());
        Assert.True(gap.Data.GetProperty("toSequence").GetInt64() < Replay.LastSequence);
        Assert.Equal(delivered[^1].Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), gap.Id);

        // Reconnecting with its cursor, it gets a snapshot.
        await using var again = await SseConnection.OpenAsync(_http, $"api/events?backend={backend}", gap.Id);
        Assert.Equal("snapshot", (await again.NextAsync())!.Type);
    }

    [Fact]
    public async Task Without_endAtGap_a_subscriber_out_of_the_window_gets_a_gap_then_a_snapshot_then_live_events()
    {
        // What the SignalR hub streams; the .NET client always drains its socket, so the reader
        // is held still here instead, at the feed the hub forwards.
        const string backend = "hub-gap";
        var feed = _server.Services.GetRequiredService<Dashboard.LiveApi.LiveEventFeed>();
        Sink.Publish(new RunCreated { Backend = backend, At = _clock.GetUtcNow(), RunId = "hub-gap-run", Prompt = "p" });
        await using var items = feed.FollowAsync(new Dashboard.LiveApi.LiveFilter([backend], null), Replay.LastSequence, Replay.Instance, endAtGap: false, CancellationToken.None)
            .GetAsyncEnumerator();
        var waiting = items.MoveNextAsync().AsTask(); // caught up: waits for the next event
        Text(backend, "hub-gap-run", "a");
        Assert.True(await waiting.WaitAsync(LiveClients.Patience));
        Assert.Equal("a", LiveClients.Normalize(items.Current.Event.Data).GetProperty("delta").GetString());
        var position = items.Current.Event.Sequence;

        for (var i = 0; i < Window * 2; i++)
        {
            Text(backend, "hub-gap-run", "b");
        }

        Assert.True(await items.MoveNextAsync());
        Assert.Equal("gap", items.Current.Event.Type);
        var gap = LiveClients.Normalize(items.Current.Event.Data);
        Assert.Equal(position + 1, gap.GetProperty("fromSequence").GetInt64());
        Assert.Equal(Replay.FirstSequence - 1, gap.GetProperty("toSequence").GetInt64());

        Assert.True(await items.MoveNextAsync());
        Assert.Equal("snapshot", items.Current.Event.Type);
        Assert.True(await items.MoveNextAsync());
        Assert.Equal(("run.text", "a" + new string('b', Window * 2)), (items.Current.Event.Type, LiveClients.Normalize(items.Current.Event.Data).GetProperty("snapshot").GetString()));
        Assert.True(await items.MoveNextAsync()); // thinking
        Text(backend, "hub-gap-run", "c");
        Assert.True(await items.MoveNextAsync().AsTask().WaitAsync(LiveClients.Patience));
        Assert.Equal((Replay.LastSequence, "c"), (items.Current.Event.Sequence, LiveClients.Normalize(items.Current.Event.Data).GetProperty("delta").GetString()));
    }

    [Fact]
    public async Task An_idle_stream_sends_a_heartbeat_comment_every_15_seconds()
    {
        await using var sse = await SseConnection.OpenAsync(_http, "api/events?backend=quiet");
        Assert.Equal("snapshot", (await sse.NextAsync())!.Type);

        using var patience = new CancellationTokenSource(LiveClients.Patience);
        var line = sse.LineAsync(patience.Token);
        while (!line.IsCompleted)
        {
            // The server registers its wait at a moment the test cannot see: move the clock until it fires.
            _clock.Advance(TimeSpan.FromSeconds(15));
            await Task.WhenAny(line, Task.Delay(50, patience.Token));
        }

        Assert.Equal(": heartbeat", await line);
    }
}
