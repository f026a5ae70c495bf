using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Security;
using Dashboard.State;
using Npgsql;
using NpgsqlTypes;

namespace Dashboard.Storage.Postgres;

/// <summary>
/// The shared store, for several replicas on one database. It keeps the SQLite store's contract:
/// ingest hands events over under the hub's lock and never waits; one writer drains the queue in
/// batches (events by binary COPY, runs and graphs in one round trip per batch). Runs are queued
/// apart and never dropped. When the database is unreachable the writer keeps its batch and
/// retries with backoff, so nothing finished is lost once the database is back; events beyond the
/// queue's bound are dropped and counted (a replay across them gets a snapshot).
/// </summary>
public sealed class PostgresHistoryStore : IHistoryStore
{
    public const string ConnectionKey = "ConnectionStrings:Dashboard";

    private const int BatchSize = 4096;
    private const int RetentionBatch = 500;
    private const string InFlight = "'pending','running'";
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly StorageOptions _options;
    private readonly SecretRedactor _redactor;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly NpgsqlDataSource _data;
    private readonly Channel<WriteItem> _queue = Channel.CreateUnbounded<WriteItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task? _writer;
    private readonly Lock _gapGate = new();
    private readonly List<(long First, long Last)> _pendingGaps = [];
    private long _queuedEvents;
    private long _dropped;
    private long _last;
    private long _blockEnd;
    private long _nextBlockEnd;
    private long _retryReserveAt;
    private long _held;
    private long _unreachableSince;
    private Task? _reserving;
    private int _disposed;

    public PostgresHistoryStore(string connectionString, StorageOptions options, SecretRedactor redactor, TimeProvider clock, ILogger<PostgresHistoryStore> logger, Func<RunView, bool>? resume = null, IInFlightOwnership? ownership = null)
    {
        _options = options;
        _redactor = redactor;
        _clock = clock;
        _logger = logger;
        Location = Describe(connectionString);
        _data = NpgsqlDataSource.Create(connectionString);
        try
        {
            using (var connection = _data.OpenConnection())
            {
                var version = PostgresSchema.Migrate(connection);
                if (version > PostgresSchema.Current)
                {
                    throw new StoreRefusedException(
                        $"The PostgreSQL history database {Location} was made by a newer Dashboard (schema v{version}, this one knows v{PostgresSchema.Current}). It was left as it was: upgrade the dashboard, or set {ConnectionKey} to another database.");
                }

                InstanceId = ReadOrCreateInstanceId(connection);
                _blockEnd = ReserveBlock();
                _last = _blockEnd - PostgresSchema.SequenceBlock;

                // Several replicas store the sequences their distributor assigned, not this store's
                // blocks: whatever this start writes goes after the newest stored event.
                using (var newest = new NpgsqlCommand("SELECT coalesce(max(seq), 0) FROM events;", connection))
                {
                    _last = Math.Max(_last, (long)newest.ExecuteScalar()!);
                }

                // The runs ended here take the first numbers of the block (their run.ended events); the hub goes on after them.
                (InterruptedAtStart, ResumableAtStart) = SettleInterruptedRuns(connection, resume, ownership);
                StartAfter = _last;
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException and not StoreRefusedException)
        {
            Dispose();
            throw new StoreRefusedException(
                $"The PostgreSQL history database {Location} could not be prepared ({_redactor.Redact(ex.Message.ReplaceLineEndings(" "))}). Check that it is running and reachable and that {ConnectionKey} names it and a user that may create tables.",
                ex);
        }
        catch (StoreRefusedException)
        {
            Dispose();
            throw;
        }

        _writer = Task.Run(WriteLoopAsync);
    }

    public string Provider => StorageOptions.Postgres;

    public bool IsDurable => true;

    /// <summary>Host, port and database; never the password.</summary>
    public string? Location { get; }

    public string InstanceId { get; } = "";

    public long StartAfter { get; }

    public long DroppedEvents => Interlocked.Read(ref _dropped);

    /// <summary>
    /// What is not written yet because the database is unreachable: null while the writer gets
    /// through; otherwise since when it retries and how many events (queued and held) wait.
    /// </summary>
    public HistoryBehind? Behind
    {
        get
        {
            var since = Interlocked.Read(ref _unreachableSince);
            return since == 0
                ? null
                : new HistoryBehind(Location, new DateTimeOffset(since, TimeSpan.Zero), Interlocked.Read(ref _queuedEvents) + Interlocked.Read(ref _held), DroppedEvents);
        }
    }

    /// <summary>The database itself, for the Data Protection key ring kept beside the history (<see cref="PostgresXmlRepository"/>).</summary>
    internal NpgsqlDataSource DataSource => _data;

    public IReadOnlyList<string> InterruptedAtStart { get; } = [];

    public IReadOnlyList<InFlightRun> ResumableAtStart { get; } = [];

    /// <summary>
    /// Called under the hub's lock. Numbers come from blocks the database hands out once each
    /// (cluster-wide); the next block is fetched in the background at half the current one.
    /// </summary>
    public long NextSequence()
    {
        var next = _last + 1;
        if (next > _blockEnd)
        {
            TakeNextBlock(next);
            next = Math.Max(next, _blockEnd - PostgresSchema.SequenceBlock + 1);
        }

        _last = next;
        if (Interlocked.Read(ref _nextBlockEnd) == 0 && (_reserving is null || _reserving.IsCompleted)
            && _blockEnd - next < PostgresSchema.SequenceBlock / 2 && MayReserve() && Volatile.Read(ref _disposed) == 0)
        {
            _reserving = Task.Run(() => Interlocked.Exchange(ref _nextBlockEnd, TryReserveBlock()));
        }

        return next;
    }

    /// <summary>Several replicas: the producer records the event; a replay here reads up to the newest one applied.</summary>
    public void Observe(in SequencedEvent item) => Advance(item.Sequence);

    // Several replicas: sequences come from the distributor, not from NextSequence.
    private void Advance(long sequence)
    {
        if (sequence > _last)
        {
            Volatile.Write(ref _last, sequence);
        }
    }

    public void Record(in SequencedEvent item)
    {
        Advance(item.Sequence);
        if (Interlocked.Increment(ref _queuedEvents) > SqliteHistoryStore.EventQueueCapacity || !_queue.Writer.TryWrite(new EventItem(item)))
        {
            Interlocked.Decrement(ref _queuedEvents);
            Interlocked.Increment(ref _dropped);
            AddGap(item.Sequence);
        }
    }

    public void SaveRun(RunView run)
    {
        if (!_queue.Writer.TryWrite(new RunItem(run)))
        {
            _logger.LogWarning("Run {RunId} ended after the history store closed; it is not kept.", run.Id);
        }
    }

    public void SaveValue(string key, string value)
    {
        if (!_queue.Writer.TryWrite(new ValueItem(key, value)))
        {
            _logger.LogWarning("Value {Key} was saved after the history store closed; it is not kept.", key);
        }
    }

    public string? ReadValue(string key)
    {
        using var connection = Reads.OpenConnection();
        using var command = new NpgsqlCommand("SELECT value FROM meta WHERE key = $1;", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = SqliteHistoryStore.ValuePrefix + key });
        return command.ExecuteScalar() as string;
    }

    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_queue.Writer.TryWrite(new FlushItem(done)))
        {
            await done.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// The database, for reads and users' changes: refused at once (<see cref="HistoryUnavailableException"/>)
    /// while the writer knows it is unreachable, so nobody waits on a connection timeout meanwhile.
    /// </summary>
    private NpgsqlDataSource Reads => Behind is { } behind ? throw new HistoryUnavailableException(behind.Description) : _data;

    /// <summary>Null for a run the store does not have, or cannot be asked about now (the page says history is behind).</summary>
    public RunView? FindRun(string runId)
    {
        try
        {
            return Find(runId);
        }
        catch (DbException ex)
        {
            _logger.LogDebug("Run {RunId} not looked up in the history database: {Error}", runId, ex.Message);
            return null;
        }
    }

    private RunView? Find(string runId)
    {
        using var command = Reads.CreateCommand("SELECT prompt, output, summary, detail FROM runs WHERE id = $1;");
        command.Parameters.Add(new NpgsqlParameter { Value = runId });
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? RunRecord.ToView(runId, reader.GetString(0), reader.GetString(1), Summary(reader.GetString(2)), Detail(reader.GetString(3)))
            : null;
    }

    public RunPage QueryEnded(RunQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var words = SearchText.Words(query.Text);
        using var command = Reads.CreateCommand();
        var sql = new StringBuilder("SELECT r.id, r.prompt, r.summary, r.pinned, r.started_at, r.duration");
        if (words.Count > 0)
        {
            // plainto_tsquery reads plain words only (every one required), never query syntax;
            // the words are already runs of letters and digits.
            var q = Add(command, string.Join(' ', words));
            sql.Append(CultureInfo.InvariantCulture,
                $", ts_headline('simple', {PostgresSchema.SearchDocument}, plainto_tsquery('simple', {q}), 'StartSel=' || chr(57344) || ', StopSel=' || chr(57345) || ', MinWords=6, MaxWords=12, ShortWord=0, MaxFragments=1, FragmentDelimiter=…')");
            sql.Append(CultureInfo.InvariantCulture, $" FROM runs r WHERE r.search @@ plainto_tsquery('simple', {q})");
        }
        else
        {
            sql.Append(", NULL FROM runs r WHERE true");
        }

        sql.Append(CultureInfo.InvariantCulture, $" AND r.status NOT IN ({InFlight})");
        if (query.Backends.Count > 0)
        {
            sql.Append(CultureInfo.InvariantCulture, $" AND lower(r.backend) = ANY({Add(command, query.Backends.Select(b => b.ToLowerInvariant()).ToArray())})");
        }

        if (query.Statuses.Count > 0)
        {
            sql.Append(CultureInfo.InvariantCulture, $" AND r.status = ANY({Add(command, query.Statuses.Select(SqliteHistoryStore.StatusName).ToArray())})");
        }

        if (query.Since is { } since)
        {
            sql.Append(CultureInfo.InvariantCulture, $" AND r.started_at >= {Add(command, since.UtcTicks)}");
        }

        if (query.Until is { } until)
        {
            sql.Append(CultureInfo.InvariantCulture, $" AND r.started_at <= {Add(command, until.UtcTicks)}");
        }

        var key = query.Sort == RunSort.Duration ? "r.duration" : "r.started_at";
        if (query.Sort == RunSort.Duration)
        {
            sql.Append(" AND r.duration IS NOT NULL");
        }

        if (query.Before is { } cursor)
        {
            sql.Append(CultureInfo.InvariantCulture, $" AND ({key}, r.id) < ({Add(command, cursor.Key)}, {Add(command, cursor.Id)})");
        }

        sql.Append(CultureInfo.InvariantCulture, $" ORDER BY {key} DESC, r.id DESC LIMIT {Add(command, query.Limit + 1)};");
        command.CommandText = sql.ToString();

        var items = new List<RunListItem>();
        RunCursor? next = null;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (items.Count == query.Limit)
            {
                var last = items[^1].Run;
                next = new RunCursor(query.Sort, RunFilter.Key(last, query.Sort), last.Id);
                break;
            }

            var view = RunRecord.ToView(reader.GetString(0), reader.GetString(1), "", Summary(reader.GetString(2)), null);
            items.Add(new RunListItem(view, reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetBoolean(3)));
        }

        return new RunPage(items, next);
    }

    public bool DeleteRun(string runId)
    {
        using var connection = Reads.OpenConnection();
        using var transaction = connection.BeginTransaction();
        using var command = new NpgsqlCommand("DELETE FROM runs WHERE id = $1;", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = runId });
        var removed = command.ExecuteNonQuery();
        command.CommandText = "DELETE FROM events WHERE run_id = $1;";
        command.ExecuteNonQuery();
        transaction.Commit();
        return removed > 0;
    }

    public IReadOnlyList<string> ClearEnded()
    {
        using var connection = Reads.OpenConnection();
        using var transaction = connection.BeginTransaction();
        var ids = new List<string>();
        using (var delete = new NpgsqlCommand($"DELETE FROM runs WHERE NOT pinned AND status NOT IN ({InFlight}) RETURNING id;", connection, transaction))
        using (var reader = delete.ExecuteReader())
        {
            while (reader.Read())
            {
                ids.Add(reader.GetString(0));
            }
        }

        using (var events = new NpgsqlCommand("DELETE FROM events WHERE run_id = ANY($1);", connection, transaction))
        {
            events.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray() });
            events.ExecuteNonQuery();
        }

        transaction.Commit();
        return ids;
    }

    public bool SetPinned(string runId, bool pinned)
    {
        using var command = Reads.CreateCommand("UPDATE runs SET pinned = $1 WHERE id = $2;");
        command.Parameters.Add(new NpgsqlParameter { Value = pinned });
        command.Parameters.Add(new NpgsqlParameter { Value = runId });
        return command.ExecuteNonQuery() == 1;
    }

    public bool IsPinned(string runId)
    {
        using var command = Reads.CreateCommand("SELECT pinned FROM runs WHERE id = $1;");
        command.Parameters.Add(new NpgsqlParameter { Value = runId });
        return command.ExecuteScalar() is true;
    }

    public IReadOnlyList<GraphPoint> GraphHistory(string backend, DateTimeOffset since, int maxPoints)
    {
        long count, first, last;
        using (var span = Reads.CreateCommand("SELECT count(*), min(at), max(at) FROM graph_points WHERE backend = $1 AND at >= $2;"))
        {
            span.Parameters.Add(new NpgsqlParameter { Value = backend });
            span.Parameters.Add(new NpgsqlParameter { Value = since.UtcTicks });
            using var read = span.ExecuteReader();
            read.Read();
            (count, first, last) = (read.GetInt64(0), read.IsDBNull(1) ? 0 : read.GetInt64(1), read.IsDBNull(2) ? 0 : read.GetInt64(2));
        }

        // The last point of each time bucket, over the time the points cover (see GraphDownsampling).
        using var command = Reads.CreateCommand(
            """
            SELECT at, nodes FROM (
                SELECT DISTINCT ON ((at - $3) / $4) at, nodes FROM graph_points
                WHERE backend = $1 AND at >= $2 ORDER BY (at - $3) / $4, at DESC) b
            ORDER BY at;
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = backend });
        command.Parameters.Add(new NpgsqlParameter { Value = since.UtcTicks });
        command.Parameters.Add(new NpgsqlParameter { Value = first });
        command.Parameters.Add(new NpgsqlParameter { Value = GraphDownsampling.Bucket(count, first, last, maxPoints) });
        var points = new List<GraphPoint>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            points.Add(new GraphPoint(new DateTimeOffset(reader.GetInt64(0), TimeSpan.Zero), reader.GetInt32(1)));
        }

        return points;
    }

    public IReadOnlyList<StoredGraph> LatestGraphs(int points)
    {
        var graphs = new List<(string Backend, GraphStats Stats)>();
        using (var command = Reads.CreateCommand("SELECT backend, stats FROM graphs ORDER BY backend;"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                graphs.Add((reader.GetString(0), JsonSerializer.Deserialize<GraphStats>(reader.GetString(1), StoreJson.Options)!));
            }
        }

        var result = new List<StoredGraph>();
        foreach (var (backend, stats) in graphs)
        {
            using var command = Reads.CreateCommand("SELECT at, nodes FROM graph_points WHERE backend = $1 ORDER BY at DESC, id DESC LIMIT $2;");
            command.Parameters.Add(new NpgsqlParameter { Value = backend });
            command.Parameters.Add(new NpgsqlParameter { Value = points });
            var history = new List<GraphPoint>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                history.Add(new GraphPoint(new DateTimeOffset(reader.GetInt64(0), TimeSpan.Zero), reader.GetInt32(1)));
            }

            history.Reverse();
            result.Add(new StoredGraph(backend, stats, history));
        }

        return result;
    }

    public async Task<EventReplay> ReplayAsync(long after, int max, CancellationToken cancellationToken = default)
    {
        var last = Interlocked.Read(ref _last);
        // Every event up to last must be written before it is read back: a replay never has a hole.
        if (!await this.CatchUpAsync(Timeout.InfiniteTimeSpan, cancellationToken))
        {
            throw new HistoryUnavailableException(Behind?.Description ?? "History is behind.");
        }

        await using var connection = await Reads.OpenConnectionAsync(cancellationToken);
        var events = new List<SequencedEvent>();
        await using (var command = new NpgsqlCommand("SELECT seq, at, type, backend, run_id, data FROM events WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3;", connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = after });
            command.Parameters.Add(new NpgsqlParameter { Value = last });
            command.Parameters.Add(new NpgsqlParameter { Value = Math.Max(0, max) });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var e = EventCodec.Decode(reader.GetInt32(2), reader.GetInt64(1), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5));
                events.Add(new SequencedEvent(reader.GetInt64(0), e));
            }
        }

        var first = PostgresSchema.Scalar(connection, "SELECT min(seq) FROM events;") is long f ? f : last + 1;
        var upTo = events.Count == max && events.Count > 0 ? events[^1].Sequence : last;
        await using var gaps = new NpgsqlCommand("SELECT count(*) FROM gaps WHERE last > $1 AND first <= $2;", connection);
        gaps.Parameters.Add(new NpgsqlParameter { Value = after });
        gaps.Parameters.Add(new NpgsqlParameter { Value = upTo });
        var gap = (long)(await gaps.ExecuteScalarAsync(cancellationToken))! > 0;
        return new EventReplay(events, InstanceId, last, first, gap);
    }

    public RetentionResult EnforceRetention(DateTimeOffset now)
    {
        using var connection = Reads.OpenConnection();
        var cut = (now - TimeSpan.FromDays(_options.RetentionDays)).UtcTicks;
        var runs = Batched(connection,
            $"DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE NOT pinned AND status NOT IN ({InFlight}) AND ended_at < $1 LIMIT {RetentionBatch});", cut);
        var over = (long)PostgresSchema.Scalar(connection, $"SELECT count(*) FROM runs WHERE status NOT IN ({InFlight});")! - _options.MaxRuns;
        while (over > 0)
        {
            var removed = Batched(connection,
                $"DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE NOT pinned AND status NOT IN ({InFlight}) ORDER BY started_at, id LIMIT $1);",
                Math.Min(over, RetentionBatch), once: true);
            if (removed == 0)
            {
                break;
            }

            runs += removed;
            over -= removed;
        }

        var events = Batched(connection, $"DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE at < $1 ORDER BY seq LIMIT {BatchSize});",
            (now - _options.ReplayWindow).UtcTicks);
        var excess = (long)PostgresSchema.Scalar(connection, "SELECT count(*) FROM events;")! - SqliteHistoryStore.MaxReplayEvents;
        if (excess > 0)
        {
            events += Batched(connection, "DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY seq LIMIT $1);", excess, once: true);
        }

        PostgresSchema.Execute(connection, "DELETE FROM gaps WHERE last < (SELECT coalesce(min(seq), 0) FROM events);");
        var points = Batched(connection, $"DELETE FROM graph_points WHERE id IN (SELECT id FROM graph_points WHERE at < $1 LIMIT {BatchSize});", cut);
        return new RetentionResult(runs, events, points);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        try
        {
            // Shutdown: what was queued is written first; a database that stays away is given up on after a while.
            if (_writer is not null && !_writer.Wait(TimeSpan.FromSeconds(30)))
            {
                _stopping.Cancel();
                _writer.Wait(TimeSpan.FromSeconds(5));
            }

            _reserving?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException ex)
        {
            _logger.LogError("The history writer stopped with an error: {Error}", _redactor.Redact(ex.InnerException?.Message ?? ex.Message));
        }

        _stopping.Cancel();
        _data.Dispose();
        _stopping.Dispose();
    }

    private void TakeNextBlock(long next)
    {
        var ready = Interlocked.Exchange(ref _nextBlockEnd, 0);
        if (ready == 0 && MayReserve())
        {
            try
            {
                _reserving?.Wait();
            }
            catch (AggregateException)
            {
                // TryReserveBlock reports its own failures.
            }

            ready = Interlocked.Exchange(ref _nextBlockEnd, 0);
            if (ready == 0)
            {
                ready = TryReserveBlock();
            }
        }

        // Without a block (the database is away), ingest goes on numbering past the last one,
        // still increasing here, until the database answers again.
        _blockEnd = Math.Max(ready, next);
    }

    private bool MayReserve() => Environment.TickCount64 >= Interlocked.Read(ref _retryReserveAt);

    private long TryReserveBlock()
    {
        try
        {
            return ReserveBlock();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // Asked again after a pause, not on every event.
            Interlocked.Exchange(ref _retryReserveAt, Environment.TickCount64 + 5_000);
            _logger.LogError("Could not reserve event numbers from the history database: {Error}", _redactor.Redact(ex.Message));
            return 0;
        }
    }

    private long ReserveBlock()
    {
        using var command = _data.CreateCommand("SELECT nextval('event_blocks');");
        return (long)command.ExecuteScalar()!;
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<WriteItem>(BatchSize);
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            var flushes = new List<TaskCompletionSource>();
            while (batch.Count < BatchSize && reader.TryRead(out var item))
            {
                if (item is FlushItem f)
                {
                    flushes.Add(f.Done);
                    break;
                }

                if (item is EventItem)
                {
                    Interlocked.Decrement(ref _queuedEvents);
                }

                batch.Add(item);
            }

            try
            {
                await WriteWithRetryAsync(batch, TakeGaps());
            }
            finally
            {
                foreach (var flush in flushes)
                {
                    flush.TrySetResult();
                }
            }
        }
    }

    private async Task WriteWithRetryAsync(List<WriteItem> batch, (long First, long Last)[] gaps)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        var failing = false;
        while (true)
        {
            try
            {
                await WriteBatchAsync(batch, gaps);
                if (failing)
                {
                    NotBehind();
                    _logger.LogWarning("The history database is reachable again; the held batch is written.");
                }

                return;
            }
            catch (NpgsqlException ex) when (ex.IsTransient && !_stopping.IsCancellationRequested)
            {
                // Idle pooled connections died with the server: reads after its return must not meet them.
                _data.Clear();
                if (!failing)
                {
                    _logger.LogWarning("The history database is unreachable ({Error}); the writer keeps its batch and retries.", _redactor.Redact(ex.Message));
                    failing = true;
                    Interlocked.Exchange(ref _held, batch.Count(i => i is EventItem));
                    Interlocked.CompareExchange(ref _unreachableSince, _clock.GetUtcNow().UtcTicks, 0);
                }

                try
                {
                    await Task.Delay(delay, _clock, _stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    _logger.LogError("The history store closed while its database was unreachable; {Count} queued items are not kept.", batch.Count);
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, delay.Ticks * 2));
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                // A batch the database refuses (not an outage) loses that batch only; ingest goes on.
                NotBehind();
                _logger.LogError("The history store could not write a batch: {Error}", _redactor.Redact(ex.Message));
                return;
            }
        }
    }

    private void NotBehind()
    {
        Interlocked.Exchange(ref _held, 0);
        Interlocked.Exchange(ref _unreachableSince, 0);
    }

    private async Task WriteBatchAsync(List<WriteItem> batch, (long First, long Last)[] gaps)
    {
        await using var connection = await _data.OpenConnectionAsync(_stopping.Token);
        await using var transaction = await connection.BeginTransactionAsync(_stopping.Token);
        if (batch.Any(i => i is EventItem))
        {
            await using var import = await connection.BeginBinaryImportAsync("COPY events (seq, at, type, backend, run_id, data) FROM STDIN (FORMAT BINARY)", _stopping.Token);
            foreach (var item in batch)
            {
                if (item is EventItem { Item: var sequenced })
                {
                    var e = sequenced.Event;
                    var (type, data) = EventCodec.Encode(e);
                    await import.StartRowAsync();
                    await import.WriteAsync(sequenced.Sequence, NpgsqlDbType.Bigint);
                    await import.WriteAsync(e.At.UtcTicks, NpgsqlDbType.Bigint);
                    await import.WriteAsync(type, NpgsqlDbType.Integer);
                    await import.WriteAsync(PostgresText.Clean(e.Backend), NpgsqlDbType.Text);
                    if ((e as RunEvent)?.RunId is { } runId)
                    {
                        await import.WriteAsync(PostgresText.Clean(runId), NpgsqlDbType.Text);
                    }
                    else
                    {
                        await import.WriteNullAsync();
                    }

                    await import.WriteAsync(PostgresText.Clean(_redactor.Redact(data)), NpgsqlDbType.Text);
                }
            }

            await import.CompleteAsync();
        }

        await using var commands = new NpgsqlBatch(connection, transaction);
        foreach (var item in batch)
        {
            switch (item)
            {
                case RunItem r:
                    commands.BatchCommands.Add(UpsertRun(r.Run));
                    break;
                case EventItem { Item.Event: GraphStatsObserved g }:
                    commands.BatchCommands.Add(Command("INSERT INTO graph_points(backend, at, nodes) VALUES ($1, $2, $3);", PostgresText.Clean(g.Backend), g.At.UtcTicks, g.Stats.Nodes));
                    commands.BatchCommands.Add(Command(
                        "INSERT INTO graphs(backend, stats, at) VALUES ($1, $2, $3) ON CONFLICT (backend) DO UPDATE SET stats = excluded.stats, at = excluded.at;",
                        PostgresText.Clean(g.Backend), JsonSerializer.Serialize(g.Stats, StoreJson.Options), g.At.UtcTicks));
                    break;
            }
        }

        // A value saved many times in one batch (a cursor per event) is written once, with the events before it.
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in batch.OfType<ValueItem>())
        {
            values[item.Key] = item.Value;
        }

        foreach (var (key, value) in values)
        {
            commands.BatchCommands.Add(Command(
                "INSERT INTO meta(key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value;",
                PostgresText.Clean(SqliteHistoryStore.ValuePrefix + key), PostgresText.Clean(value)));
        }

        foreach (var (first, last) in gaps)
        {
            commands.BatchCommands.Add(Command("INSERT INTO gaps(first, last) VALUES ($1, $2) ON CONFLICT (first) DO UPDATE SET last = greatest(gaps.last, excluded.last);", first, last));
        }

        if (commands.BatchCommands.Count > 0)
        {
            await commands.ExecuteNonQueryAsync(_stopping.Token);
        }

        await transaction.CommitAsync(_stopping.Token);
        if (gaps.Length > 0)
        {
            _logger.LogWarning("History is behind by {Dropped} events (the store's queue was full); replays across them get a snapshot.", DroppedEvents);
        }
    }

    private NpgsqlBatchCommand UpsertRun(RunView run) => Command(
        """
        INSERT INTO runs(id, backend, status, started_at, ended_at, duration, prompt, output, summary, detail)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        ON CONFLICT (id) DO UPDATE SET backend = excluded.backend, status = excluded.status, started_at = excluded.started_at,
            ended_at = excluded.ended_at, duration = excluded.duration, prompt = excluded.prompt, output = excluded.output,
            summary = excluded.summary, detail = excluded.detail;
        """,
        PostgresText.Clean(run.Id),
        PostgresText.Clean(run.Backend),
        SqliteHistoryStore.StatusName(run.Status),
        run.StartedAt.UtcTicks,
        run.EndedAt?.UtcTicks,
        run.EndedAt is { } end ? (end - run.StartedAt).Ticks : null,
        PostgresText.Clean(_redactor.Redact(run.Prompt)),
        PostgresText.Clean(_redactor.Redact(run.Text.ToString())),
        _redactor.Redact(JsonSerializer.Serialize(RunRecord.Summary(run), StoreJson.Options)),
        _redactor.Redact(JsonSerializer.Serialize(RunRecord.Detail(run), StoreJson.Options)));

    private static NpgsqlBatchCommand Command(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(value switch
            {
                null => new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint },
                _ => new NpgsqlParameter { Value = value },
            });
        }

        return command;
    }

    private void AddGap(long sequence)
    {
        lock (_gapGate)
        {
            if (_pendingGaps.Count > 0 && _pendingGaps[^1].Last + 1 == sequence)
            {
                _pendingGaps[^1] = (_pendingGaps[^1].First, sequence);
            }
            else
            {
                _pendingGaps.Add((sequence, sequence));
            }
        }
    }

    private (long First, long Last)[] TakeGaps()
    {
        lock (_gapGate)
        {
            var gaps = _pendingGaps.ToArray();
            _pendingGaps.Clear();
            return gaps;
        }
    }

    /// <summary>
    /// Runs that were pending or running when the dashboard stopped. Those <paramref name="resume"/>
    /// accepts (rebuilt whole from their stored events) are handed over still in flight; the others
    /// end interrupted with what was received until then, rebuilt through the live projection.
    /// </summary>
    /// With <paramref name="ownership"/> (several replicas), every run that can be rebuilt is handed over, and one that cannot is ended only when no live replica holds it.
    private (List<string> Settled, List<InFlightRun> Resumable) SettleInterruptedRuns(NpgsqlConnection connection, Func<RunView, bool>? resume, IInFlightOwnership? ownership)
    {
        var rows = new List<(string Id, string Prompt, string Output, string Summary, string Detail)>();
        using (var command = new NpgsqlCommand($"SELECT id, prompt, output, summary, detail FROM runs WHERE status IN ({InFlight});", connection))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4)));
            }
        }

        var settled = new List<string>();
        var resumable = new List<InFlightRun>();
        foreach (var row in rows)
        {
            var events = StoredEvents(connection, row.Id);
            var replayed = InFlightSettlement.Project(row.Id, events);
            if (ownership is not null && replayed is null && ownership.IsFollowedElsewhere(row.Id))
            {
                continue;
            }

            // Several replicas: every run that can be rebuilt is handed over; the run manager then
            // follows or ends it only under its lease, and leaves it to a live replica holding it.
            var (handedOver, interrupted) = InFlightSettlement.Settle(
                replayed,
                events,
                () => RunRecord.ToView(row.Id, row.Prompt, row.Output, Summary(row.Summary), Detail(row.Detail)),
                LastEventAt(connection, row.Id),
                ownership is null ? resume : _ => true);
            if (handedOver is not null)
            {
                resumable.Add(handedOver);
                continue;
            }

            var ended = interrupted!.EndedAt!.Value;
            using var transaction = connection.BeginTransaction();
            using var update = new NpgsqlCommand(
                $"UPDATE runs SET status = $1, ended_at = $2, duration = $3, output = $4, summary = $5, detail = $6 WHERE id = $7 AND status IN ({InFlight});",
                connection, transaction);
            foreach (var value in new object[]
            {
                SqliteHistoryStore.StatusName(RunStatus.Interrupted),
                ended.UtcTicks,
                (ended - interrupted.StartedAt).Ticks,
                PostgresText.Clean(interrupted.Text.ToString()),
                JsonSerializer.Serialize(RunRecord.Summary(interrupted), StoreJson.Options),
                JsonSerializer.Serialize(RunRecord.Detail(interrupted), StoreJson.Options),
                row.Id,
            })
            {
                update.Parameters.Add(new NpgsqlParameter { Value = value });
            }

            if (update.ExecuteNonQuery() != 1)
            {
                // Another replica settled it first (and logged its end).
                continue;
            }

            // Its end is an event like any other, so a client replaying from before the stop hears it.
            var (type, data) = EventCodec.Encode(InFlightSettlement.Ended(interrupted));
            using var ending = new NpgsqlCommand("INSERT INTO events(seq, at, type, backend, run_id, data) VALUES ($1, $2, $3, $4, $5, $6);", connection, transaction);
            foreach (var value in new object[] { ++_last, ended.UtcTicks, type, interrupted.Backend, row.Id, PostgresText.Clean(_redactor.Redact(data)) })
            {
                ending.Parameters.Add(new NpgsqlParameter { Value = value });
            }

            ending.ExecuteNonQuery();
            transaction.Commit();
            settled.Add(row.Id);
        }

        if (settled.Count > 0)
        {
            _logger.LogWarning("{Count} runs were in flight when the dashboard last stopped; they are marked interrupted.", settled.Count);
        }

        return (settled, resumable);
    }

    /// <summary>The run's stored events, in sequence order.</summary>
    private static List<SequencedEvent> StoredEvents(NpgsqlConnection connection, string runId)
    {
        using var command = new NpgsqlCommand("SELECT seq, at, type, backend, run_id, data FROM events WHERE run_id = $1 ORDER BY seq;", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = runId });
        var events = new List<SequencedEvent>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var e = EventCodec.Decode(reader.GetInt32(2), reader.GetInt64(1), reader.GetString(3), reader.GetString(4), reader.GetString(5));
            events.Add(new SequencedEvent(reader.GetInt64(0), e));
        }

        return events;
    }

    private static DateTimeOffset? LastEventAt(NpgsqlConnection connection, string runId)
    {
        using var command = new NpgsqlCommand("SELECT max(at) FROM events WHERE run_id = $1;", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = runId });
        return command.ExecuteScalar() is long at ? new DateTimeOffset(at, TimeSpan.Zero) : null;
    }

    private static string ReadOrCreateInstanceId(NpgsqlConnection connection)
    {
        // Every replica on the database shares it: a cursor from one means the same on another.
        using var command = new NpgsqlCommand(
            "INSERT INTO meta(key, value) VALUES ('instance_id', $1) ON CONFLICT (key) DO NOTHING; ",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)) });
        command.ExecuteNonQuery();
        return (string)PostgresSchema.Scalar(connection, "SELECT value FROM meta WHERE key = 'instance_id';")!;
    }

    private static string Describe(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return $"postgres://{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}";
        }
        catch (ArgumentException)
        {
            throw new StoreRefusedException($"{ConnectionKey} is not a valid PostgreSQL connection string (for example Host=127.0.0.1;Port=5432;Database=dashboard;Username=dashboard;Password=…).");
        }
    }

    private static string Add(NpgsqlCommand command, object value)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = value });
        return "$" + command.Parameters.Count.ToString(CultureInfo.InvariantCulture);
    }

    private static int Batched(NpgsqlConnection connection, string sql, long parameter, bool once = false)
    {
        var total = 0;
        while (true)
        {
            using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
            var removed = command.ExecuteNonQuery();
            total += removed;
            if (once || removed == 0 || removed < RetentionBatch)
            {
                return total;
            }
        }
    }

    private static RunSummaryDoc Summary(string json) => JsonSerializer.Deserialize<RunSummaryDoc>(json, StoreJson.Options)!;

    private static RunDetailDoc Detail(string json) => JsonSerializer.Deserialize<RunDetailDoc>(json, StoreJson.Options)!;

    private abstract record WriteItem;

    private sealed record EventItem(SequencedEvent Item) : WriteItem;

    private sealed record RunItem(RunView Run) : WriteItem;

    private sealed record FlushItem(TaskCompletionSource Done) : WriteItem;

    private sealed record ValueItem(string Key, string Value) : WriteItem;
}
