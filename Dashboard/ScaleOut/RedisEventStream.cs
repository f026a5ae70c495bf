using System.Globalization;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Storage;
using StackExchange.Redis;

namespace Dashboard.ScaleOut;

/// <summary>
/// Every replica's hub gets every event, in one cluster-wide order. The producer runs one Lua
/// script that takes the next number of a counter and appends the event to a Redis Stream under
/// that very number as its entry id (<c>{seq}-0</c>), so stream order is sequence order; every
/// replica (the producer too) tails the stream into its hub. The producer returns once its own
/// hub has applied the event, so whoever published can read it back at once; only the producer
/// records it in the history store. After a Redis restart (counter gone) the counter is re-seeded
/// well above the highest sequence this replica knows, so a number is never issued twice.
/// </summary>
public sealed class RedisEventStream : IEventDistributor, IHostedService, IDisposable
{
    /// <summary>How far above the last known sequence a lost counter restarts (sequences may jump; they never repeat).</summary>
    public const long ReseedMargin = 1_000_000;

    /// <summary>Entries kept in the stream (approximately): a replica further behind than this catches up from the store.</summary>
    public const int StreamLength = 100_000;

    private const int ReadBatch = 512;

    private const string PublishScript = """
        local c = tonumber(redis.call('GET', KEYS[1]) or '-1')
        local floor = tonumber(ARGV[1])
        if c < 0 then c = floor + tonumber(ARGV[2]) elseif c < floor then c = floor end
        c = c + 1
        local id = string.format('%d', c)
        redis.call('SET', KEYS[1], id)
        redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], id .. '-0', 'o', ARGV[4], 'k', ARGV[5], 'a', ARGV[6], 'b', ARGV[7], 'r', ARGV[8], 'd', ARGV[9])
        redis.call('PUBLISH', KEYS[3], id)
        return c
        """;

    // A replica starting up raises the counter to what its store has seen, then tails from there.
    private const string RaiseScript = """
        local c = tonumber(redis.call('GET', KEYS[1]) or '-1')
        local floor = tonumber(ARGV[1])
        if c < floor then c = floor; redis.call('SET', KEYS[1], string.format('%d', c)) end
        return c
        """;

    private static readonly RedisKey Counter = RedisCoordinator.KeyPrefix + "sequence";
    private static readonly RedisKey Stream = RedisCoordinator.KeyPrefix + "events";
    private const string AppendedName = RedisCoordinator.KeyPrefix + "events-appended";
    private static readonly RedisChannel Appended = RedisChannel.Literal(AppendedName);

    private readonly RedisCoordinator _redis;
    private readonly EventHub _hub;
    private readonly ILogger<RedisEventStream> _logger;
    private readonly object _appliedGate = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly CancellationTokenSource _stopping = new();
    private Thread? _tailer;
    private long _position = -1;
    private long _notShared;
    private long _applied;
    private int _disposed;

    public RedisEventStream(RedisCoordinator redis, EventHub hub, ILogger<RedisEventStream> logger)
    {
        _redis = redis;
        _hub = hub;
        _logger = logger;
    }

    /// <summary>Events this replica produced that could not be shared (Redis unreachable); shown on the Backends page.</summary>
    public long NotShared => Interlocked.Read(ref _notShared);

    /// <summary>Events applied from the stream (this replica's own included).</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>True once the tail has a position in the stream (Redis answered at least once).</summary>
    public bool Tailing => Interlocked.Read(ref _position) >= 0;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Before any backend or run publishes (hosted services start in order; the backends start after the server listens).
        _hub.AttachDistributor(this);
        try
        {
            _redis.Subscriber.Subscribe(Appended).OnMessage(_ => _wake.Set());
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _logger.LogWarning("Redis {Endpoint} unreachable at start ({Error}); events are polled until it is back.", _redis.Endpoint, ex.Message);
        }

        // A thread of its own: producers wait (briefly, synchronously) for the tail, so the tail
        // must never wait for the thread pool those producers may be holding.
        _tailer = new Thread(Tail) { IsBackground = true, Name = "dashboard-redis-tail" };
        _tailer.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        _wake.Set();
        if (_tailer is { } tailer)
        {
            await Task.Run(() => tailer.Join(TimeSpan.FromSeconds(5)), cancellationToken);
        }
    }

    public long Distribute(DashboardEvent e)
    {
        var (type, data) = EventCodec.Encode(e);
        long sequence;
        try
        {
            sequence = (long)_redis.Database.ScriptEvaluate(
                PublishScript,
                [Counter, Stream, AppendedName],
                [
                    Math.Max(_hub.LastSequence, Interlocked.Read(ref _position)),
                    ReseedMargin,
                    StreamLength,
                    _redis.ReplicaId,
                    type,
                    e.At.UtcTicks,
                    e.Backend,
                    (e as RunEvent)?.RunId ?? "",
                    data,
                ]);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            if (Interlocked.Increment(ref _notShared) == 1 || NotShared % 1000 == 0)
            {
                _logger.LogWarning("An event could not be shared through Redis {Endpoint} ({Error}); {Count} so far.", _redis.Endpoint, ex.Message, NotShared);
            }

            return 0;
        }

        // Read-your-writes: whoever published (a form, the API) can look the event up at once.
        // Not while stopping: the tail is gone, the event is applied here directly below.
        lock (_appliedGate)
        {
            var deadline = Environment.TickCount64 + (long)_redis.Options.LeaseTtl.TotalMilliseconds;
            _wake.Set();
            while (_hub.LastSequence < sequence && Environment.TickCount64 < deadline && !_stopping.IsCancellationRequested)
            {
                Monitor.Wait(_appliedGate, TimeSpan.FromMilliseconds(Math.Max(1, deadline - Environment.TickCount64)));
            }
        }

        // The tail did not bring it back in time (Redis went away after the append): applied here
        // directly so the producer never loses its own event; a later copy from the tail is a repeat.
        _hub.ApplySequenced(sequence, e, journal: true);
        return sequence;
    }

    /// <summary>Waits (bounded by the lease TTL) until this replica has applied every event sequenced before the call.</summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        long target;
        try
        {
            var value = await _redis.Database.StringGetAsync(Counter);
            target = value.IsNull ? 0 : (long)value;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return;
        }

        _wake.Set();
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(_redis.Options.LeaseTtl);
        while (Interlocked.Read(ref _position) < target && !bound.IsCancellationRequested)
        {
            await Task.Delay(10, CancellationToken.None);
        }
    }

    private void Tail()
    {
        var origin = _redis.ReplicaId;
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                if (Interlocked.Read(ref _position) < 0)
                {
                    var raised = (long)_redis.Database.ScriptEvaluate(RaiseScript, [Counter], [_hub.LastSequence]);
                    Interlocked.Exchange(ref _position, raised);
                }

                var entries = _redis.Database.StreamRange(Stream, (Interlocked.Read(ref _position) + 1).ToString(CultureInfo.InvariantCulture) + "-0", "+", ReadBatch);
                foreach (var entry in entries)
                {
                    var sequence = long.Parse(((string)entry.Id!).AsSpan(0, ((string)entry.Id!).IndexOf('-')), CultureInfo.InvariantCulture);
                    if (Decode(entry) is { } e)
                    {
                        _hub.ApplySequenced(sequence, e, journal: entry["o"] == origin);
                        Interlocked.Increment(ref _applied);
                    }

                    Interlocked.Exchange(ref _position, sequence);
                }

                if (entries.Length > 0)
                {
                    lock (_appliedGate)
                    {
                        Monitor.PulseAll(_appliedGate);
                    }

                    if (entries.Length == ReadBatch)
                    {
                        continue;
                    }
                }

                // Woken by the append notice; the timeout is the fallback when a notice was missed.
                _wake.WaitOne(TimeSpan.FromSeconds(1));
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                _wake.WaitOne(TimeSpan.FromMilliseconds(500));
            }
        }
    }

    private DashboardEvent? Decode(StreamEntry entry)
    {
        try
        {
            var run = (string?)entry["r"];
            return EventCodec.Decode((int)entry["k"], (long)entry["a"], (string)entry["b"]!, string.IsNullOrEmpty(run) ? null : run, (string)entry["d"]!);
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or System.Text.Json.JsonException or InvalidCastException or ArgumentException)
        {
            _logger.LogWarning("Event {Id} in the Redis stream could not be read ({Error}); skipped.", entry.Id, ex.Message);
            return null;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // The wait handle and the token source are left to the collector: a late StopAsync or
        // producer may still touch them.
        _stopping.Cancel();
        _wake.Set();
        _tailer?.Join(TimeSpan.FromSeconds(5));
    }
}
