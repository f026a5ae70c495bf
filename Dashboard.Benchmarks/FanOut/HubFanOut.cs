using System.Diagnostics;
using System.Threading.Channels;
using Dashboard.Benchmarks.Infrastructure;
using Dashboard.Domain;
using Dashboard.Events;

namespace Dashboard.Benchmarks.FanOut;

/// <param name="LiveQueueCapacity">Queue bound of the live subscribers; null: the app's default (the stalled ones always have the default).</param>
public sealed record HubFanOutOptions(int Subscribers, int EventsPerSecond, TimeSpan Duration, int Stalled = 1, int? LiveQueueCapacity = null);

/// <param name="LiveWithLoss">Non-stalled subscribers that missed any event (gap in sequence or a drop).</param>
/// <param name="StalledQueueMax">Largest queue length of the stalled subscriber seen during the run.</param>
public sealed record HubFanOutResult(
    long Published,
    double PublishedPerSecond,
    long Delivered,
    long ExpectedDeliveries,
    int LiveWithLoss,
    LatencyHistogram Lag,
    int StalledQueueLength,
    int StalledQueueMax,
    long StalledDropped,
    int QueueCapacity,
    long ManagedBytesAtStart,
    long ManagedBytesMax,
    long ManagedBytesAtEnd,
    TimeSpan CpuTime);

/// <summary>
/// Benchmark 4a: many in-process hub subscribers, a paced publisher, some subscribers that never
/// read. Lag = the subscriber's read time − the publisher's time just before <c>Publish</c>.
/// </summary>
public static class HubFanOut
{
    private const string RunId = "fan-out";
    private const string Backend = "bench";

    public static async Task<HubFanOutResult> RunAsync(HubFanOutOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var hub = Hubs.Create();
        hub.Publish(new RunCreated { Backend = Backend, At = DateTimeOffset.UtcNow, RunId = RunId, Prompt = "fan-out" });

        var total = (long)(options.EventsPerSecond * options.Duration.TotalSeconds);
        var firstSequence = hub.LastSequence + 1;
        var sentAt = new long[total];

        var stalled = Enumerable.Range(0, options.Stalled).Select(_ => hub.Subscribe()).ToArray();
        var live = Enumerable.Range(0, options.Subscribers - options.Stalled)
            .Select(_ => new LiveSubscriber(hub.Subscribe(capacity: options.LiveQueueCapacity), firstSequence, sentAt))
            .ToArray();
        var readers = live.Select(s => Task.Run(() => s.ReadAsync(cancellationToken), cancellationToken)).ToArray();

        var managedAtStart = GC.GetTotalMemory(forceFullCollection: false);
        var cpuBefore = ProcessMeter.CpuTime;
        var stalledMax = 0;
        var managedMax = managedAtStart;

        var publishing = Pacer.RunAsync(total, options.EventsPerSecond, i =>
        {
            sentAt[i] = Stopwatch.GetTimestamp();
            hub.Publish(new RunTextReceived { Backend = Backend, At = DateTimeOffset.UtcNow, RunId = RunId, Text = "tick " });
        }, cancellationToken);
        while (await Task.WhenAny(publishing, Task.Delay(250, cancellationToken)) != publishing)
        {
            stalledMax = Math.Max(stalledMax, stalled.Length == 0 ? 0 : stalled.Max(s => s.Events.Count));
            managedMax = Math.Max(managedMax, GC.GetTotalMemory(forceFullCollection: false));
        }

        var publishSeconds = await publishing;
        foreach (var s in live)
        {
            s.Subscription.Dispose();
        }

        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        var cpu = ProcessMeter.CpuTime - cpuBefore;

        var lag = new LatencyHistogram();
        foreach (var s in live)
        {
            lag.Add(s.Lag);
        }

        var stalledLength = stalled.Length == 0 ? 0 : stalled.Max(s => s.Events.Count);
        var stalledDropped = stalled.Length == 0 ? 0 : stalled.Max(s => s.Dropped);
        var managedAtEnd = GC.GetTotalMemory(forceFullCollection: false);
        foreach (var s in stalled)
        {
            s.Dispose();
        }

        return new HubFanOutResult(
            total,
            total / publishSeconds,
            live.Sum(s => s.Received),
            total * live.Length,
            live.Count(s => s.Received != total || s.Gaps > 0 || s.Subscription.Dropped > 0),
            lag,
            stalledLength,
            Math.Max(stalledMax, stalledLength),
            stalledDropped,
            new Configuration.DashboardOptions().Limits.SubscriberQueueCapacity,
            managedAtStart,
            Math.Max(managedMax, managedAtEnd),
            managedAtEnd,
            cpu);
    }

    private sealed class LiveSubscriber(HubSubscription subscription, long firstSequence, long[] sentAt)
    {
        public HubSubscription Subscription { get; } = subscription;

        public LatencyHistogram Lag { get; } = new();

        public long Received { get; private set; }

        public long Gaps { get; private set; }

        public async Task ReadAsync(CancellationToken cancellationToken)
        {
            var reader = Subscription.Events;
            var expected = firstSequence;
            try
            {
                while (await reader.WaitToReadAsync(cancellationToken))
                {
                    while (reader.TryRead(out var item))
                    {
                        var now = Stopwatch.GetTimestamp();
                        var index = item.Sequence - firstSequence;
                        Lag.Record((now - Volatile.Read(ref sentAt[index])) * 1000.0 / Stopwatch.Frequency);
                        if (item.Sequence != expected)
                        {
                            Gaps++;
                        }

                        expected = item.Sequence + 1;
                        Received++;
                    }
                }
            }
            catch (ChannelClosedException)
            {
            }
        }
    }
}
