using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Dashboard.ScaleOut;

/// <summary>
/// The one connection of this replica to Redis. It never stops start-up: an unreachable Redis is
/// retried in the background (AbortOnConnectFail off) while the replica serves what it has, and
/// every caller treats a failed command as "not known now" (no lease taken, none renewed).
/// </summary>
public sealed class RedisCoordinator : IDisposable
{
    public const string KeyPrefix = "dashboard:";

    private readonly ConnectionMultiplexer _connection;
    private readonly ILogger<RedisCoordinator> _logger;
    private int _disposed;

    public RedisCoordinator(IOptions<ScaleOutOptions> options, TimeProvider clock, ILogger<RedisCoordinator> logger)
    {
        _logger = logger;
        Options = options.Value;
        Clock = clock;
        var configuration = ConfigurationOptions.Parse(Options.Redis!);
        configuration.AbortOnConnectFail = false;
        // Short timeouts: a lease must be known lost well before its TTL, not after a 5 s default
        // (a renewal is bounded by the time its lease has left anyway).
        var ttlMs = (int)Math.Clamp(Options.LeaseTtl.TotalMilliseconds / 3, 1000, 5000);
        configuration.ConnectTimeout = ttlMs;
        configuration.SyncTimeout = ttlMs;
        configuration.AsyncTimeout = ttlMs;
        configuration.ConnectRetry = 1;
        configuration.ReconnectRetryPolicy = new LinearRetry(500);
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ClientName ??= "dashboard";
        // Host and port only: a password never reaches a log.
        Endpoint = string.Join(",", configuration.EndPoints.Select(e => e.ToString()));
        _connection = ConnectionMultiplexer.Connect(configuration);
        _connection.ConnectionFailed += (_, e) => _logger.LogWarning("Redis {Endpoint} unreachable ({Failure}): no lease is taken or renewed until it is back.", Endpoint, e.FailureType);
        _connection.ConnectionRestored += (_, _) => _logger.LogInformation("Redis {Endpoint} reachable again.", Endpoint);
    }

    /// <summary>Identifies this process among the replicas (lease values, event origins).</summary>
    public string ReplicaId { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}";

    public ScaleOutOptions Options { get; }

    public TimeProvider Clock { get; }

    /// <summary>Host and port (never the password).</summary>
    public string Endpoint { get; }

    public bool IsConnected => _connection.IsConnected;

    public IDatabase Database => _connection.GetDatabase();

    public ISubscriber Subscriber => _connection.GetSubscriber();

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _connection.Dispose();
        }
    }
}
