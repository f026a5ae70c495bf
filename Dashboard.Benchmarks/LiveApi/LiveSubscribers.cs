using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dashboard.Benchmarks.Infrastructure;
using Dashboard.LiveApi;
using Microsoft.AspNetCore.SignalR.Client;

namespace Dashboard.Benchmarks.LiveApi;

/// <summary>Lag percentiles in ms (a histogram's figures, so they can cross a process boundary).</summary>
public sealed record LagFigures(long Count, double P50, double P95, double P99, double Max)
{
    public static LagFigures From(LatencyHistogram histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        return new(histogram.Count, histogram.Percentile(0.50), histogram.Percentile(0.95), histogram.Percentile(0.99), histogram.MaxMilliseconds);
    }
}

/// <param name="Lost">Subscribers that missed, doubled or reordered any tick, or did not get them all.</param>
/// <param name="Errors">Why subscriptions ended early, grouped ("N subscribers: error").</param>
/// <param name="CpuSeconds">The clients' process CPU from subscribed to done, when they ran in a process of their own.</param>
public sealed record LiveClientFigures(long Received, int Lost, LagFigures Lag, IReadOnlyList<string> Errors, double? CpuSeconds);

/// <summary>
/// The subscribers of the SignalR fan-out: SignalR.Client connections on one app's /hubs/events,
/// each streaming <c>Subscribe</c> for the bench backend. A tick is a <c>run.text</c> delta
/// <c>"tick &lt;index&gt; &lt;stopwatch timestamp&gt;\n"</c>: each subscriber checks it gets every index
/// once and in order, and its lag is its read time − the publisher's stamp (the monotonic clock is
/// the machine's, so this holds with the subscribers in another process).
/// </summary>
public sealed class LiveSubscribers : IAsyncDisposable
{
    public const string Backend = "bench-live";
    private const string Tick = "tick ";

    private readonly Subscriber[] _subscribers;

    private LiveSubscribers(Subscriber[] subscribers)
    {
        _subscribers = subscribers;
    }

    /// <summary>The text of tick <paramref name="index"/>, stamped now.</summary>
    public static string TickText(long index) =>
        string.Create(CultureInfo.InvariantCulture, $"{Tick}{index} {Stopwatch.GetTimestamp()}\n");

    /// <summary>Connects and subscribes them all; returns once every subscription's snapshot has arrived.</summary>
    /// <param name="stateful">Stateful reconnect (the server then keeps each unacknowledged message to resend it).</param>
    public static async Task<LiveSubscribers> ConnectAsync(Uri baseUri, int count, long total, bool messagePack, bool stateful, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        var subscribers = new Subscriber[count];
        try
        {
            // Connect a few at a time: 200 negotiates at once on 2 shared cores time out for no reason worth measuring.
            using var gate = new SemaphoreSlim(16);
            await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
            {
                await gate.WaitAsync(cancellationToken);
                try
                {
                    subscribers[i] = await Subscriber.StartAsync(LiveBenchApp.Hub(baseUri, messagePack, stateful), total, cancellationToken);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }
        catch
        {
            await new LiveSubscribers(subscribers).DisposeAsync();
            throw;
        }

        return new LiveSubscribers(subscribers);
    }

    /// <summary>Until every subscriber has every tick (or its stream ended), at most <paramref name="bound"/>: one that never catches up is counted as lost, not waited for.</summary>
    public async Task WaitAsync(TimeSpan bound, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(_subscribers.Select(s => s.Done)).WaitAsync(bound, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
    }

    public LiveClientFigures Figures(double? cpuSeconds = null)
    {
        var lag = new LatencyHistogram();
        foreach (var s in _subscribers)
        {
            lag.Add(s.Lag);
        }

        return new LiveClientFigures(
            _subscribers.Sum(s => s.Received),
            _subscribers.Count(s => !s.Complete),
            LagFigures.From(lag),
            [.. _subscribers.Select(s => s.Error).OfType<string>().GroupBy(e => e, StringComparer.Ordinal).Select(g => $"{g.Count()} subscribers: {g.Key}")],
            cpuSeconds);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var s in _subscribers.Where(s => s is not null))
        {
            await s.DisposeAsync();
        }
    }

    /// <summary>The index and stamp of a tick, or null for anything else (the snapshot and its texts).</summary>
    private static (long Index, long Stamp)? ReadTick(BenchLiveEvent e)
    {
        if (e.Type != LiveEventTypes.RunText)
        {
            return null;
        }

        var delta = e.Data switch
        {
            JsonElement json when json.TryGetProperty("delta", out var d) => d.GetString(),
            IDictionary map when map.Contains("delta") => map["delta"] as string,
            _ => null,
        };
        if (delta is null || !delta.StartsWith(Tick, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = delta.AsSpan(Tick.Length).TrimEnd('\n');
        var space = rest.IndexOf(' ');
        return (long.Parse(rest[..space], CultureInfo.InvariantCulture), long.Parse(rest[(space + 1)..], CultureInfo.InvariantCulture));
    }

    private sealed class Subscriber : IAsyncDisposable
    {
        private readonly HubConnection _connection;
        private readonly CancellationTokenSource _stop;
        private readonly long _total;
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Task _reading = Task.CompletedTask;
        private long _expected;

        private Subscriber(HubConnection connection, long total, CancellationToken cancellationToken)
        {
            _connection = connection;
            _total = total;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        }

        public LatencyHistogram Lag { get; } = new();

        public long Received { get; private set; }

        public long OutOfOrder { get; private set; }

        public bool Complete => Received == _total && OutOfOrder == 0;

        /// <summary>Why its stream ended early, or null.</summary>
        public string? Error { get; private set; }

        public Task Done => _done.Task;

        public static async Task<Subscriber> StartAsync(HubConnection connection, long total, CancellationToken cancellationToken)
        {
            var s = new Subscriber(connection, total, cancellationToken);
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
                    if (ReadTick(items.Current) is not { } tick)
                    {
                        continue;
                    }

                    var (index, stamp) = tick;
                    Lag.Record((now - stamp) * 1000.0 / Stopwatch.Frequency);
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
