using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dashboard.Benchmarks.Infrastructure;
using Dashboard.Domain;
using Dashboard.LiveApi;
using Microsoft.AspNetCore.SignalR.Client;

namespace Dashboard.Benchmarks.LiveApi;

public sealed record LiveFanOutOptions(int Subscribers, int EventsPerSecond, TimeSpan Duration, bool MessagePack = false, bool Logs = false);

/// <param name="Lost">Subscribers that missed, doubled or reordered any tick, or did not get them all.</param>
/// <param name="CpuTime">Process CPU from the first publish to the last delivery: the server and all the clients (one process).</param>
public sealed record LiveFanOutResult(
    long Published,
    double PublishedPerSecond,
    long Delivered,
    long ExpectedDeliveries,
    int Lost,
    LatencyHistogram Lag,
    TimeSpan CpuTime,
    TimeSpan ConnectTime,
    long ManagedBytesAtEnd);

/// <summary>
/// SignalR fan-out of the live event API: many SignalR.Client subscribers (this process) on the
/// real app's /hubs/events over loopback, a paced publisher writing run text into the app's hub
/// entrance as a decoder would. Each tick carries its index in its text, so a subscriber checks
/// it got every tick once and in order. Lag = the subscriber's read time − the publisher's time
/// just before <c>Publish</c> (one process, one clock).
/// </summary>
public static class LiveFanOut
{
    private const string Backend = "bench-live";
    private const string RunId = "live-fan-out";
    private const string Tick = "tick ";

    public static async Task<LiveFanOutResult> RunAsync(LiveFanOutOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var total = (long)(options.EventsPerSecond * options.Duration.TotalSeconds);
        var sentAt = new long[total];

        await using var app = LiveBenchApp.Start(logs: options.Logs);
        var sink = app.Sink;
        sink.Publish(new RunCreated { Backend = Backend, At = DateTimeOffset.UtcNow, RunId = RunId, Prompt = "live fan-out" });

        var connecting = Stopwatch.StartNew();
        var subscribers = new Subscriber[options.Subscribers];
        try
        {
            // Connect a few at a time: 200 negotiates at once on 2 shared cores time out for no reason worth measuring.
            using var gate = new SemaphoreSlim(16);
            await Task.WhenAll(Enumerable.Range(0, subscribers.Length).Select(async i =>
            {
                await gate.WaitAsync(cancellationToken);
                try
                {
                    subscribers[i] = await Subscriber.StartAsync(app.Hub(options.MessagePack), total, sentAt, cancellationToken);
                }
                finally
                {
                    gate.Release();
                }
            }));
            connecting.Stop();

            var cpuBefore = ProcessMeter.CpuTime;
            var publishSeconds = await Pacer.RunAsync(total, options.EventsPerSecond, i =>
            {
                sentAt[i] = Stopwatch.GetTimestamp();
                sink.Publish(new RunTextReceived { Backend = Backend, At = DateTimeOffset.UtcNow, RunId = RunId, Text = Tick + i.ToString(CultureInfo.InvariantCulture) + "\n" });
            }, cancellationToken);

            // Bounded: a subscriber that never catches up is counted as lost, not waited for.
            try
            {
                await Task.WhenAll(subscribers.Select(s => s.Done)).WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            }
            catch (TimeoutException)
            {
            }

            var cpu = ProcessMeter.CpuTime - cpuBefore;
            foreach (var error in subscribers.Select(s => s.Error).OfType<string>().GroupBy(e => e).Select(g => $"{g.Count()} subscribers: {g.Key}"))
            {
                Console.WriteLine("subscription ended early: " + error);
            }

            var lag = new LatencyHistogram();
            foreach (var s in subscribers)
            {
                lag.Add(s.Lag);
            }

            return new LiveFanOutResult(
                total,
                total / publishSeconds,
                subscribers.Sum(s => s.Received),
                total * subscribers.Length,
                subscribers.Count(s => s.Received != total || s.OutOfOrder > 0),
                lag,
                cpu,
                connecting.Elapsed,
                GC.GetTotalMemory(forceFullCollection: false));
        }
        finally
        {
            foreach (var s in subscribers.Where(s => s is not null))
            {
                await s.DisposeAsync();
            }

            if (options.Logs)
            {
                app.PrintTrouble(Console.Out);
            }
        }
    }

    /// <summary>The tick index in a run.text delta, or -1 for anything else (the snapshot and its texts).</summary>
    private static long TickIndex(BenchLiveEvent e)
    {
        if (e.Type != LiveEventTypes.RunText)
        {
            return -1;
        }

        var delta = e.Data switch
        {
            JsonElement json when json.TryGetProperty("delta", out var d) => d.GetString(),
            IDictionary map when map.Contains("delta") => map["delta"] as string,
            _ => null,
        };
        return delta is not null && delta.StartsWith(Tick, StringComparison.Ordinal)
            ? long.Parse(delta.AsSpan(Tick.Length).TrimEnd('\n'), CultureInfo.InvariantCulture)
            : -1;
    }

    private sealed class Subscriber : IAsyncDisposable
    {
        private readonly HubConnection _connection;
        private readonly CancellationTokenSource _stop;
        private readonly long _total;
        private readonly long[] _sentAt;
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Task _reading = Task.CompletedTask;
        private long _expected;

        private Subscriber(HubConnection connection, long total, long[] sentAt, CancellationToken cancellationToken)
        {
            _connection = connection;
            _total = total;
            _sentAt = sentAt;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        }

        public LatencyHistogram Lag { get; } = new();

        public long Received { get; private set; }

        public long OutOfOrder { get; private set; }

        /// <summary>Why its stream ended early, or null.</summary>
        public string? Error { get; private set; }

        public Task Done => _done.Task;

        /// <summary>Connected and subscribed: returns once the subscription's snapshot has arrived.</summary>
        public static async Task<Subscriber> StartAsync(HubConnection connection, long total, long[] sentAt, CancellationToken cancellationToken)
        {
            var s = new Subscriber(connection, total, sentAt, cancellationToken);
            await connection.StartAsync(cancellationToken);
            var items = connection.StreamAsync<BenchLiveEvent>("Subscribe", new SubscribeRequest { Backends = [Backend] }, s._stop.Token)
                .GetAsyncEnumerator(s._stop.Token);
            if (!await items.MoveNextAsync() || items.Current.Type != LiveEventTypes.Snapshot)
            {
                throw new InvalidOperationException("a subscription without a cursor must start with a snapshot");
            }

            s._reading = s.ReadAsync(items);
            return s;
        }

        private async Task ReadAsync(IAsyncEnumerator<BenchLiveEvent> items)
        {
            try
            {
                while (await items.MoveNextAsync())
                {
                    var now = Stopwatch.GetTimestamp();
                    var index = TickIndex(items.Current);
                    if (index < 0)
                    {
                        continue;
                    }

                    Lag.Record((now - Volatile.Read(ref _sentAt[index])) * 1000.0 / Stopwatch.Frequency);
                    if (index != _expected)
                    {
                        OutOfOrder++;
                    }

                    _expected = index + 1;
                    if (++Received == _total)
                    {
                        _done.TrySetResult();
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception ex)
            {
                // Counted as lost (it did not get every tick) and printed, not thrown: one broken
                // subscription must not hide the others' figures.
                Error = ex.GetType().Name + ": " + ex.Message;
            }
            finally
            {
                _done.TrySetResult();
                try
                {
                    await items.DisposeAsync();
                }
                catch (Exception ex) when (Error is not null)
                {
                    Error += " (then on dispose: " + ex.Message + ")";
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _reading;
            await _connection.DisposeAsync();
            _stop.Dispose();
        }
    }
}

/// <summary>A live event as a client declares it (JSON gives <see cref="Data"/> as JsonElement, MessagePack as maps).</summary>
[MessagePack.MessagePackObject]
public sealed class BenchLiveEvent
{
    [MessagePack.Key("sequence")]
    public long Sequence { get; set; }

    [MessagePack.Key("type")]
    public string Type { get; set; } = "";

    [MessagePack.Key("data")]
    public object? Data { get; set; }
}
