using System.Globalization;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.LiveApi;
using Dashboard.Storage;
using Dashboard.Testing;
using Dashboard.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.LiveApi;

/// <summary>
/// The live API's replay log on a real history file: a cursor resumes across a restart of the app
/// (two app lifetimes on the same file, where the store's block reservation makes sequences jump),
/// a client the in-memory ring left behind catches up from the file, and a range the store no
/// longer holds is still reported as a gap.
/// </summary>
public sealed class StoredReplayTests : IDisposable
{
    private readonly StoreHarness _harness = new();

    public static TheoryData<string> Transports => new() { "sse", "json", "messagepack" };

    public void Dispose() => _harness.Dispose();

    private TestApp Start(int ringEvents = 50_000) => new(new Dictionary<string, string?>
    {
        ["Dashboard:Storage:Provider"] = "sqlite",
        ["Dashboard:Storage:Path"] = _harness.Path,
        ["Dashboard:LiveApi:ReplayMaxEvents"] = ringEvents.ToString(CultureInfo.InvariantCulture),
    })
    {
        Demo = false,
    };

    private static void Text(IDomainEventSink sink, string backend, string runId, string text) =>
        sink.Publish(new RunTextReceived { Backend = backend, At = DateTimeOffset.UtcNow, RunId = runId, Text = text });

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_cursor_resumes_across_a_restart_on_the_same_store_with_every_event_exactly_once(string transport)
    {
        const string backend = "restart";
        string instance;
        long cursor, lastBefore;
        await using (var first = Start())
        {
            _ = first.BaseUrl;
            var sink = first.Services.GetRequiredService<IDomainEventSink>();
            var replay = first.Services.GetRequiredService<IEventReplay>();
            sink.Publish(new RunCreated { Backend = backend, At = DateTimeOffset.UtcNow, RunId = "before", Prompt = "p" });
            Text(sink, backend, "before", "a");
            cursor = replay.LastSequence; // the client saw up to "a", then lost its connection
            Text(sink, backend, "before", "b");
            sink.Publish(new RunEnded { Backend = backend, At = DateTimeOffset.UtcNow, RunId = "before", Status = RunStatus.Completed });
            lastBefore = replay.LastSequence;
            instance = replay.Instance;
        }

        await using var second = Start();
        var baseUri = LiveClients.BaseUri(second);
        var secondReplay = second.Services.GetRequiredService<IEventReplay>();
        var secondSink = second.Services.GetRequiredService<IDomainEventSink>();
        Assert.Equal(instance, secondReplay.Instance);
        secondSink.Publish(new RunCreated { Backend = backend, At = DateTimeOffset.UtcNow, RunId = "after", Prompt = "p" });
        Text(secondSink, backend, "after", "z");

        List<Received> received;
        if (transport == "sse")
        {
            using var http = LiveClients.Http(baseUri);
            await using var sse = await SseConnection.OpenAsync(http, $"api/events?instance={instance}&backend={backend}", cursor.ToString(CultureInfo.InvariantCulture));
            received = await sse.UntilAsync(e => e.Type == "run.text" && e.RunId == "after");
        }
        else
        {
            await using var hub = LiveClients.Hub(baseUri, transport == "messagepack");
            await hub.StartAsync();
            await using var subscription = HubSubscription.Open(hub, new { backends = new[] { backend }, fromSequence = cursor, instance });
            received = await subscription.UntilAsync(e => e.Type == "run.text" && e.RunId == "after");
        }

        // No snapshot, no gap: exactly what followed the cursor, from both lifetimes, in order.
        Assert.Equal(
            [("run.text", "before"), ("run.ended", "before"), ("run.created", "after"), ("run.text", "after")],
            received.Select(e => (e.Type, e.RunId)));
        Assert.Equal(["b", "z"], received.Where(e => e.Type == "run.text").Select(e => e.Str("delta")));
        Assert.Equal(received.Select(e => e.Sequence).Order(), received.Select(e => e.Sequence));
        Assert.Equal(lastBefore, received[1].Sequence);

        // The restart skipped numbers (the store reserves them in blocks): a jump, and no gap for it.
        Assert.True(received[2].Sequence > lastBefore + 1, $"expected a jump after {lastBefore}, got {received[2].Sequence}");
    }

    [Fact]
    public async Task After_a_restart_a_cursor_from_another_store_still_gets_a_snapshot()
    {
        long cursor;
        await using (var first = Start())
        {
            _ = first.BaseUrl;
            Text(first.Services.GetRequiredService<IDomainEventSink>(), "other", "r", "a");
            cursor = first.Services.GetRequiredService<IEventReplay>().LastSequence;
        }

        await using var second = Start();
        using var http = LiveClients.Http(LiveClients.BaseUri(second));
        await using var sse = await SseConnection.OpenAsync(http, $"api/events?from={cursor}&instance=0123456789abcdef&backend=other");
        Assert.Equal("snapshot", (await sse.NextAsync())!.Type);
    }

    [Fact]
    public async Task A_client_the_ring_left_behind_catches_up_from_the_store_and_a_range_the_store_dropped_is_a_gap()
    {
        const string backend = "behind";
        const int Events = LiveEventFeed.BatchSize + 100;
        await using var app = Start(ringEvents: 30);
        _ = app.BaseUrl;
        var sink = app.Services.GetRequiredService<IDomainEventSink>();
        var replay = app.Services.GetRequiredService<IEventReplay>();
        var store = app.Services.GetRequiredService<IHistoryStore>();
        var feed = app.Services.GetRequiredService<LiveEventFeed>();

        sink.Publish(new RunCreated { Backend = backend, At = DateTimeOffset.UtcNow, RunId = "run", Prompt = "p" });
        var cursor = replay.LastSequence;
        for (var i = 0; i < Events; i++)
        {
            Text(sink, backend, "run", "x");
        }

        // Far outside the ring's 30 events, but the store has them all: no gap, no snapshot.
        await using var items = feed.FollowAsync(new LiveFilter([backend], null), cursor, replay.Instance, endAtGap: false, CancellationToken.None).GetAsyncEnumerator();
        Assert.True(await items.MoveNextAsync());
        Assert.Equal((cursor + 1, "run.text"), (items.Current.Event.Sequence, items.Current.Event.Type));

        // The store's retention now removes every event the client has not read yet; then one more arrives.
        await store.FlushAsync();
        Assert.True(store.EnforceRetention(DateTimeOffset.UtcNow.AddDays(2)).Events >= Events);
        Text(sink, backend, "run", "y");
        var newest = replay.LastSequence;

        // What the feed already read is delivered, in order, without holes; then the loss is named.
        var delivered = new List<long> { items.Current.Event.Sequence };
        while (true)
        {
            Assert.True(await items.MoveNextAsync().AsTask().WaitAsync(LiveClients.Patience));
            if (items.Current.Event.Type != "run.text")
            {
                break;
            }

            delivered.Add(items.Current.Event.Sequence);
        }

        Assert.Equal(Enumerable.Range(1, delivered.Count).Select(i => cursor + i), delivered);
        Assert.True(delivered.Count < Events, "the feed reads in batches, so some events were still unread");
        Assert.Equal("gap", items.Current.Event.Type);
        var gap = LiveClients.Normalize(items.Current.Event.Data);
        Assert.Equal((delivered[^1] + 1, newest - 1), (gap.GetProperty("fromSequence").GetInt64(), gap.GetProperty("toSequence").GetInt64()));
        Assert.True(await items.MoveNextAsync());
        Assert.Equal("snapshot", items.Current.Event.Type);
    }
}
