using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.State;
using Microsoft.Extensions.Options;
using static Dashboard.Tests.State.Events;

namespace Dashboard.Tests.Events;

public sealed class EventHubTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static EventHub NewHub(int queueCapacity = 1024)
    {
        var options = Options.Create(new DashboardOptions { Limits = { SubscriberQueueCapacity = queueCapacity } });
        return new EventHub(new DashboardState(options), options);
    }

    private static List<SequencedEvent> Drain(HubSubscription subscription)
    {
        var items = new List<SequencedEvent>();
        while (subscription.Events.TryRead(out var item))
        {
            items.Add(item);
        }

        return items;
    }

    [Fact]
    public void Publish_assigns_contiguous_sequences_and_applies_to_state()
    {
        var hub = NewHub();

        Assert.Equal(1, hub.Publish(Created("r1")));
        Assert.Equal(2, hub.Publish(Text("r1", "hello")));

        Assert.Equal(2, hub.LastSequence);
        Assert.Equal("hello", hub.State.GetRun("r1")!.Text.ToString());
    }

    [Fact]
    public async Task Late_subscriber_during_concurrent_publishing_gets_snapshot_then_exactly_every_later_event()
    {
        var hub = NewHub();
        hub.Publish(Created("r1"));
        using var stop = new CancellationTokenSource();
        var published = new System.Collections.Concurrent.ConcurrentBag<long>();

        var publishers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                published.Add(hub.Publish(Text("r1", "x")));
            }
        })).ToArray();

        Assert.True(SpinWait.SpinUntil(() => hub.LastSequence >= 2_000, Timeout));
        using var subscription = hub.Subscribe(capacity: 10_000_000);
        var snapshot = subscription.SnapshotSequence;
        var viewAfterSubscribe = hub.State.GetRun("r1")!;
        Assert.True(SpinWait.SpinUntil(() => hub.LastSequence >= snapshot + 5_000, Timeout));
        await stop.CancelAsync();
        await Task.WhenAll(publishers).WaitAsync(Timeout);

        var last = hub.LastSequence;
        var received = Drain(subscription).Select(i => i.Sequence).ToArray();

        Assert.InRange(snapshot, 2_000, last - 5_000);
        Assert.Equal(Enumerable.Range(2, (int)last - 1).Select(i => (long)i), published.Order());
        Assert.Equal(LongRange(snapshot + 1, last), received);
        Assert.Equal(0, subscription.Dropped);
        // Every event after the run's creation appended one char: the state at the snapshot held
        // snapshot - 1 chars, and the events received after it account for the rest exactly.
        Assert.Equal(last - 1, hub.State.GetRun("r1")!.Text.Length);
        Assert.Equal(last - 1, snapshot - 1 + received.Length);
        Assert.True(viewAfterSubscribe.Version >= snapshot);
    }

    [Fact]
    public async Task Stalled_subscriber_does_not_block_publisher_nor_others_and_stays_bounded()
    {
        var hub = NewHub();
        using var stalled = hub.Subscribe(capacity: 8);
        using var live = hub.Subscribe(capacity: 2_000);
        var receivedAll = new TaskCompletionSource<List<long>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = Task.Run(async () =>
        {
            var seen = new List<long>();
            await foreach (var item in live.Events.ReadAllAsync())
            {
                seen.Add(item.Sequence);
                if (seen.Count == 1_001)
                {
                    receivedAll.SetResult(seen);
                }
            }
        });

        await Task.Run(() =>
        {
            hub.Publish(Created("r1"));
            for (var i = 0; i < 1_000; i++)
            {
                hub.Publish(Text("r1", "x"));
            }
        }).WaitAsync(Timeout);

        Assert.Equal(LongRange(1, 1_001), await receivedAll.Task.WaitAsync(Timeout));
        Assert.Equal(0, live.Dropped);
        Assert.Equal(1_001 - 8, stalled.Dropped);
        Assert.Equal(8, stalled.Events.Count);
        // Drop-oldest: what remains queued is the newest notifications.
        Assert.Equal(LongRange(994, 1_001), Drain(stalled).Select(i => i.Sequence));
        Assert.Equal(1_000, hub.State.GetRun("r1")!.Text.Length);

        live.Dispose();
        await reader.WaitAsync(Timeout);
    }

    [Fact]
    public async Task Dispose_unregisters_and_completes_the_reader_and_can_be_repeated()
    {
        var hub = NewHub();
        var first = hub.Subscribe();
        var second = hub.Subscribe();
        Assert.Equal(2, hub.SubscriberCount);

        first.Dispose();
        first.Dispose();
        second.Dispose();

        Assert.Equal(0, hub.SubscriberCount);
        await first.Events.Completion.WaitAsync(Timeout);
        await second.Events.Completion.WaitAsync(Timeout);
        hub.Publish(Created("r1"));
        Assert.False(first.Events.TryRead(out _));
    }

    [Fact]
    public void Disposing_one_subscription_keeps_the_others_delivering()
    {
        var hub = NewHub();
        using var a = hub.Subscribe();
        var b = hub.Subscribe();
        using var c = hub.Subscribe();

        b.Dispose();
        hub.Publish(Created("r1"));

        Assert.Equal(2, hub.SubscriberCount);
        Assert.Single(Drain(a));
        Assert.Single(Drain(c));
    }

    [Fact]
    public void Filter_queues_only_accepted_events_with_their_hub_sequence()
    {
        var hub = NewHub();
        using var graphsOnly = hub.Subscribe(e => e is GraphStatsObserved);

        hub.Publish(Created("r1"));
        hub.Publish(Graph(10));
        hub.Publish(Text("r1", "x"));
        hub.Publish(Graph(11));

        var items = Drain(graphsOnly);
        Assert.Equal([2L, 4L], items.Select(i => i.Sequence));
        Assert.All(items, i => Assert.IsType<GraphStatsObserved>(i.Event));
    }

    [Fact]
    public void A_throwing_filter_neither_breaks_publish_nor_other_subscribers()
    {
        var hub = NewHub();
        using var faulty = hub.Subscribe(_ => throw new InvalidOperationException("bad filter"));
        using var healthy = hub.Subscribe();

        Assert.Equal(1, hub.Publish(Created("r1")));

        Assert.Single(Drain(healthy));
        Assert.Single(Drain(faulty));
    }

    [Fact]
    public void State_already_reflects_an_event_when_its_notification_is_queued()
    {
        var hub = NewHub();
        long? stateSequenceSeenByFilter = null;
        using var subscription = hub.Subscribe(e =>
        {
            stateSequenceSeenByFilter = ((DashboardState)hub.State).LastSequence;
            return true;
        });

        var sequence = hub.Publish(Created("r1"));

        Assert.Equal(sequence, stateSequenceSeenByFilter);
    }

    [Fact]
    public void Default_capacity_comes_from_options()
    {
        var hub = NewHub(queueCapacity: 4);
        using var subscription = hub.Subscribe();

        for (var i = 0; i < 10; i++)
        {
            hub.Publish(Graph(i));
        }

        Assert.Equal(6, subscription.Dropped);
        Assert.Equal(4, subscription.Events.Count);
    }

    [Fact]
    public void Capacity_below_one_is_rejected()
    {
        var hub = NewHub();

        Assert.Throws<ArgumentOutOfRangeException>(() => hub.Subscribe(capacity: 0));
        Assert.Equal(0, hub.SubscriberCount);
    }

    [Fact]
    public void Snapshot_sequence_is_the_last_event_before_subscribing()
    {
        var hub = NewHub();
        hub.Publish(Graph(1));
        hub.Publish(Graph(2));

        using var subscription = hub.Subscribe();
        hub.Publish(Graph(3));

        Assert.Equal(2, subscription.SnapshotSequence);
        Assert.Equal([3L], Drain(subscription).Select(i => i.Sequence));
    }

    private static IEnumerable<long> LongRange(long first, long last)
    {
        for (var i = first; i <= last; i++)
        {
            yield return i;
        }
    }
}
