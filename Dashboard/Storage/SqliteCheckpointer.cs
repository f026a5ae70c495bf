using Microsoft.Data.Sqlite;

namespace Dashboard.Storage;

/// <summary>
/// Copies the write-ahead log into the database file on a connection and thread of its own, so the
/// store's writer only ever appends. SQLite's automatic checkpoint runs inside the commit that
/// takes the log past 1,000 pages, on the writer, file system syncs included: on a busy disk one
/// commit then took seconds while the writer's queue filled. A PASSIVE checkpoint never takes the
/// write lock, so appends go on while it copies; the writer asks for one after each batch and
/// asks made while one runs are folded into the next.
/// </summary>
internal sealed class SqliteCheckpointer : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _asked = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _pending;
    private long _checkpoints;
    private long _longestTicks;

    public SqliteCheckpointer(string connectionString, ILogger logger)
    {
        _logger = logger;
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        _loop = Task.Run(LoopAsync);
    }

    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    public TimeSpan Longest => TimeSpan.FromTicks(Interlocked.Read(ref _longestTicks));

    /// <summary>Called after each checkpoint, on the checkpointer's thread (tests wait for one).</summary>
    public Action? Checkpointed { get; set; }

    /// <summary>Asks for a checkpoint; never waits.</summary>
    public void Ask()
    {
        if (Interlocked.Exchange(ref _pending, 1) == 0)
        {
            _asked.Release();
        }
    }

    private async Task LoopAsync()
    {
        while (true)
        {
            try
            {
                await _asked.WaitAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Volatile.Write(ref _pending, 0);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                SqliteSchema.Execute(_connection, "PRAGMA wal_checkpoint(PASSIVE);");
            }
            catch (SqliteException ex)
            {
                // The log then grows until the next checkpoint succeeds; nothing written is lost.
                _logger.LogWarning("The history file's write-ahead log could not be checkpointed: {Error}", ex.Message);
                continue;
            }

            SqliteWriterStats.RaiseTo(ref _longestTicks, System.Diagnostics.Stopwatch.GetElapsedTime(started).Ticks);
            Interlocked.Increment(ref _checkpoints);
            Checkpointed?.Invoke();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException ex)
        {
            _logger.LogWarning("The history checkpointer stopped with an error: {Error}", ex.InnerException?.Message);
        }

        _connection.Dispose();
        _asked.Dispose();
        _stop.Dispose();
    }
}
