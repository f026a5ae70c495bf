using Dashboard.Configuration;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Security;
using Dashboard.State;
using Microsoft.Data.Sqlite;

namespace Dashboard.Storage;

/// <summary>
/// The embedded store. Ingest hands it events under the hub's lock and never waits: they go to
/// one queue that a single writer drains in batched transactions (WAL, synchronous=NORMAL, one
/// prepared INSERT reused). Runs are queued apart and never dropped, so a finished run is written
/// whole even when the event queue overflows. Reads use their own pooled connections.
/// </summary>
public sealed class SqliteHistoryStore : IHistoryStore
{
    /// <summary>The PostgreSQL store's bound on events queued for its writer (this store bounds its queue in bytes).</summary>
    public const int EventQueueCapacity = 200_000;

    /// <summary>
    /// Estimated bytes of events queued for the writer at most (see <see cref="QueuedEventSize"/>);
    /// beyond, an event is dropped and counted, and its range kept as a gap. 64 MB held 222,000
    /// of the soak benchmark's events (11 s at 20,000 a second), so a stall of the disk or the machine is absorbed,
    /// while the memory a stalled writer can cost stays bounded whatever the events' size.
    /// </summary>
    public const long DefaultEventQueueBytes = 64L << 20;

    /// <summary>Sequence numbers reserved durably at a time.</summary>
    public const long SequenceBlock = 1 << 20;

    /// <summary>Events kept for replay at most, whatever the window (the replay's size bound).</summary>
    public const int MaxReplayEvents = 5_000_000;

    private const int BatchSize = 4096;
    /// <summary>The statuses of a run in flight, as SQL (what retention and clearing never remove).</summary>
    internal const string Statuses = "'pending','running'";

    private readonly StorageOptions _options;
    private readonly SecretRedactor _redactor;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly string _connectionString;
    private readonly FileStream _lock;
    private readonly SqliteConnection _write;
    private readonly SqliteConnection _sequenceConnection;
    private readonly Channel<WriteItem> _queue = Channel.CreateUnbounded<WriteItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private readonly SqliteCheckpointer? _checkpointer;

    // Passes asked for and not finished, oldest first; touched by the writer only.
    private readonly Queue<SqliteRetentionPass> _retention = new();
    private readonly Lock _gapGate = new();
    private readonly List<(long First, long Last)> _pendingGaps = [];
    private readonly SqliteCommand _insertEvent;
    private readonly SqliteCommand _upsertRun;
    private readonly SqliteCommand _insertPoint;
    private readonly SqliteCommand _upsertGraph;
    private long _queuedEvents;
    private long _queuedBytes;
    private long _peakQueuedEvents;
    private long _peakQueuedBytes;
    private long _batches;
    private long _longestBatchTicks;
    private long _longestBeginTicks;
    private long _retentionSlices;
    private long _longestSliceTicks;
    private long _longestPassTicks;
    private long _unwritten;
    private long _dropped;
    private long _last;
    private long _reserved;
    private Task? _reserving;
    private int _disposed;

    /// <param name="resume">
    /// Which runs in flight at the last stop are handed over to be followed again (see
    /// <see cref="ResumableAtStart"/>); the others end interrupted here. Null: none are.
    /// </param>
    public SqliteHistoryStore(string path, StorageOptions options, SecretRedactor redactor, TimeProvider clock, ILogger<SqliteHistoryStore> logger, Func<RunView, bool>? resume = null)
    {
        _options = options;
        _redactor = redactor;
        _clock = clock;
        _logger = logger;
        Location = path;
        _connectionString = SqliteStoreFile.ConnectionString(path);
        (_lock, _write) = SqliteStoreFile.Open(path);
        try
        {
            SqliteSchema.Migrate(_write);
            SqliteSchema.Execute(_write, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
            InstanceId = ReadOrCreateInstanceId();
            SqliteStoreFile.MarkOpen(_write);

            // Every number up to the last reservation may have been used before a crash: start after it.
            _sequenceConnection = OpenConnection(synchronousFull: true);
            _last = long.Parse(Meta("sequence_reserved") ?? "0", CultureInfo.InvariantCulture);
            Reserve(_last + SequenceBlock);

            // The runs ended here take the first numbers (their run.ended events); the hub goes on after them.
            (InterruptedAtStart, ResumableAtStart) = SettleInterruptedRuns(resume);
            StartAfter = _last;
        }
        catch (SqliteException ex)
        {
            Dispose();
            throw new StoreRefusedException($"The history file {path} could not be prepared ({ex.Message}). It was left as it was: check the disk and permissions, or set {SqliteStoreFile.PathKey} to another file.", ex);
        }

        _insertEvent = Prepare("INSERT INTO events(seq, at, type, backend, run_id, data) VALUES ($seq, $at, $type, $backend, $run, $data);",
            "$seq", "$at", "$type", "$backend", "$run", "$data");
        _upsertRun = Prepare(
            """
            INSERT INTO runs(id, backend, status, started_at, ended_at, duration, prompt, output, summary, detail)
            VALUES ($id, $backend, $status, $started, $ended, $duration, $prompt, $output, $summary, $detail)
            ON CONFLICT(id) DO UPDATE SET backend = excluded.backend, status = excluded.status, started_at = excluded.started_at,
                ended_at = excluded.ended_at, duration = excluded.duration, prompt = excluded.prompt, output = excluded.output,
                summary = excluded.summary, detail = excluded.detail;
            """,
            "$id", "$backend", "$status", "$started", "$ended", "$duration", "$prompt", "$output", "$summary", "$detail");
        _insertPoint = Prepare("INSERT INTO graph_points(backend, at, nodes) VALUES ($backend, $at, $nodes);", "$backend", "$at", "$nodes");
        _upsertGraph = Prepare("INSERT INTO graphs(backend, stats, at) VALUES ($backend, $stats, $at) ON CONFLICT(backend) DO UPDATE SET stats = excluded.stats, at = excluded.at;",
            "$backend", "$stats", "$at");
        // The writer never checkpoints: the checkpointer does, beside it (see SqliteCheckpointer).
        SqliteSchema.Execute(_write, "PRAGMA wal_autocheckpoint = 0;");
        _checkpointer = new SqliteCheckpointer(_connectionString, logger);
        _writer = Task.Run(WriteLoopAsync);
    }

    public string Provider => StorageOptions.Sqlite;

    public bool IsDurable => true;

    public string? Location { get; }

    public string InstanceId { get; } = "";

    public long StartAfter { get; }

    public long DroppedEvents => Interlocked.Read(ref _dropped);

    public SqliteWriterStats WriterStats => new(
        Interlocked.Read(ref _batches),
        TimeSpan.FromTicks(Interlocked.Read(ref _longestBatchTicks)),
        TimeSpan.FromTicks(Interlocked.Read(ref _longestBeginTicks)),
        Interlocked.Read(ref _peakQueuedEvents),
        Interlocked.Read(ref _peakQueuedBytes),
        Interlocked.Read(ref _retentionSlices),
        TimeSpan.FromTicks(Interlocked.Read(ref _longestSliceTicks)),
        TimeSpan.FromTicks(Interlocked.Read(ref _longestPassTicks)),
        _checkpointer?.Checkpoints ?? 0,
        _checkpointer?.Longest ?? TimeSpan.Zero);

    /// <summary>Has <paramref name="action"/> called after each checkpoint of the write-ahead log, on the checkpointer's thread.</summary>
    internal void OnCheckpoint(Action? action) => _checkpointer!.Checkpointed = action;

    public IReadOnlyList<string> InterruptedAtStart { get; } = [];

    public IReadOnlyList<InFlightRun> ResumableAtStart { get; } = [];

    /// <summary>Called under the hub's lock. Waits only when the durable reservation has fallen a whole block behind.</summary>
    public long NextSequence()
    {
        var next = _last + 1;
        if (next > Volatile.Read(ref _reserved) && Volatile.Read(ref _disposed) == 0)
        {
            try
            {
                _reserving?.Wait();
            }
            catch (AggregateException)
            {
                // Reported by the reservation itself; reserve again below.
            }

            if (next > Volatile.Read(ref _reserved))
            {
                Reserve(next + SequenceBlock);
            }
        }

        _last = next;
        if ((_reserving is null || _reserving.IsCompleted) && Volatile.Read(ref _reserved) - next < SequenceBlock / 2 && Volatile.Read(ref _disposed) == 0)
        {
            var target = Volatile.Read(ref _reserved) + SequenceBlock;
            _reserving = Task.Run(() => Reserve(target));
        }

        return next;
    }

    /// <summary>The queue's bound in estimated bytes (settable so tests overflow it with a few events).</summary>
    internal long EventQueueBytes { get; set; } = DefaultEventQueueBytes;

    public void Record(in SequencedEvent item)
    {
        Interlocked.Increment(ref _unwritten);
        var size = QueuedEventSize.Of(item.Event);
        var bytes = Interlocked.Add(ref _queuedBytes, size);
        if (bytes > EventQueueBytes || !_queue.Writer.TryWrite(new EventItem(item, size)))
        {
            Interlocked.Decrement(ref _unwritten);
            Interlocked.Add(ref _queuedBytes, -size);
            Interlocked.Increment(ref _dropped);
            AddGap(item.Sequence);
            return;
        }

        SqliteWriterStats.RaiseTo(ref _peakQueuedBytes, bytes);
        SqliteWriterStats.RaiseTo(ref _peakQueuedEvents, Interlocked.Increment(ref _queuedEvents));
    }

    public void SaveRun(RunView run)
    {
        Interlocked.Increment(ref _unwritten);
        if (!_queue.Writer.TryWrite(new RunItem(run)))
        {
            Interlocked.Decrement(ref _unwritten);
            _logger.LogWarning("Run {RunId} ended after the history store closed; it is not kept.", run.Id);
        }
    }

    // Kept values live in meta under their own prefix, apart from the store's own keys.
    internal const string ValuePrefix = "value:";

    public void SaveValue(string key, string value)
    {
        // Counted like events and runs, so a flush waits for it.
        Interlocked.Increment(ref _unwritten);
        if (!_queue.Writer.TryWrite(new ValueItem(key, value)))
        {
            Interlocked.Decrement(ref _unwritten);
            _logger.LogWarning("Value {Key} was saved after the history store closed; it is not kept.", key);
        }
    }

    public string? ReadValue(string key)
    {
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM meta WHERE key = $k;";
        command.Parameters.AddWithValue("$k", ValuePrefix + key);
        return command.ExecuteScalar() as string;
    }

    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        // Nothing queued or being written: nothing to wait for (every list request flushes first,
        // and a round trip through a busy writer's thread was a good part of a page's time).
        if (Interlocked.Read(ref _unwritten) == 0)
        {
            return;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_queue.Writer.TryWrite(new FlushItem(done)))
        {
            await done.Task.WaitAsync(cancellationToken);
        }
    }

    public RunView? FindRun(string runId)
    {
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT prompt, output, summary, detail FROM runs WHERE id = $id;";
        command.Parameters.AddWithValue("$id", runId);
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? RunRecord.ToView(runId, reader.GetString(0), reader.GetString(1), Summary(reader.GetString(2)), Detail(reader.GetString(3)))
            : null;
    }

    public RunPage QueryEnded(RunQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var words = SearchText.Words(query.Text);
        using var connection = OpenConnection();

        // Two steps, so a page costs about its own size whatever the store holds: first the rowids
        // of the page (from the narrow list index, never the wide rows), then the page's rows and
        // their snippets. Ranking or snippeting every match before the LIMIT made a common word
        // cost the whole store.
        var rowids = PageRowids(connection, query, words);
        var items = new List<RunListItem>(Math.Min(rowids.Count, query.Limit));
        RunCursor? next = null;
        using var row = connection.CreateCommand();
        // With words, the start of the output too: the match shown is cut from it here. FTS5's
        // snippet() scores every place a word occurs in the whole document, which for a common
        // word cost more than finding the page (over 1 ms a run); it is kept for a word found
        // only further on, or only as the index's tokenizer folds it (diacritics).
        row.CommandText = words.Count > 0
            ? $"SELECT id, prompt, summary, pinned, substr(output, 1, {SnippetScanChars}) FROM runs WHERE rowid = $r;"
            : "SELECT id, prompt, summary, pinned FROM runs WHERE rowid = $r;";
        var rowParameter = row.Parameters.Add(new SqliteParameter("$r", null));
        using var snippet = connection.CreateCommand();
        snippet.CommandText = "SELECT snippet(runs_fts, -1, char(57344), char(57345), '…', 12) FROM runs_fts WHERE runs_fts MATCH $q AND rowid = $r;";
        snippet.Parameters.AddWithValue("$q", words.Count > 0 ? SearchText.FtsQuery(words) : "");
        var snippetParameter = snippet.Parameters.Add(new SqliteParameter("$r", null));
        foreach (var rowid in rowids)
        {
            if (items.Count == query.Limit)
            {
                var last = items[^1].Run;
                next = new RunCursor(query.Sort, RunFilter.Key(last, query.Sort), last.Id);
                break;
            }

            rowParameter.Value = rowid;
            using var reader = row.ExecuteReader();
            if (reader.Read())
            {
                string? match = null;
                if (words.Count > 0)
                {
                    match = SearchText.Snippet(reader.GetString(1), reader.GetString(4), words);
                    if (match is null)
                    {
                        snippetParameter.Value = rowid;
                        match = snippet.ExecuteScalar() as string;
                    }
                }

                var view = RunRecord.ToView(reader.GetString(0), reader.GetString(1), "", Summary(reader.GetString(2)), null);
                items.Add(new RunListItem(view, match, reader.GetInt64(3) != 0));
            }
        }

        return new RunPage(items, next);
    }

    /// <summary>Characters of a listed run's output searched for the match shown.</summary>
    private const int SnippetScanChars = 65_536;

    /// <summary>Matches of a search at most for them to be fetched and ordered directly (see <see cref="PageRowids"/>).</summary>
    public const int DefaultCommonWordMatches = 4000;

    /// <summary>Settable so tests can take either way of finding a page with few runs.</summary>
    internal int CommonWordMatches { get; set; } = DefaultCommonWordMatches;

    /// <summary>Matching rowids read first from the full-text index, newest first; later chunks grow (settable so tests cross chunks with few runs).</summary>
    internal int MatchChunk { get; set; } = 256;

    /// <summary>
    /// The rowids of one page (Limit + 1, in the page's order). Without search words the list index
    /// is walked in order (it covers every filter). With words, their matches are read from the
    /// full-text index newest rowid first, in growing chunks, while the list index is walked in the
    /// page's order: each candidate is checked against the matches read so far, reading further
    /// chunks only while the candidate's rowid is below the last one read. The check is exact
    /// whatever the rowids, and cheap because a run's rowid is given when it is created, so rowid
    /// order follows start order and a page needs about as many matches as it has candidates. Once
    /// every match is read and they are fewer than <see cref="CommonWordMatches"/> (a rare word),
    /// the walk stops and they are fetched and ordered directly. A count or a sort over every match
    /// of a common word is never made. By duration, which rowids do not follow, the matches are
    /// counted up to <see cref="CommonWordMatches"/> to choose between the direct way and a walk
    /// checking each candidate.
    /// </summary>
    private List<long> PageRowids(SqliteConnection connection, RunQuery query, IReadOnlyList<string> words)
    {
        if (words.Count == 0)
        {
            return ListRowids(connection, query, words, fewMatches: false, matches: null)!;
        }

        using var matches = new MatchStream(connection, SearchText.FtsQuery(words), MatchChunk);
        if (query.Sort == RunSort.Duration)
        {
            return ListRowids(connection, query, words, matches.FewerThan(CommonWordMatches), matches: null)!;
        }

        // By start the walk begins at once, reading matches only as far as its candidates need;
        // it gives up (null) as soon as every match is read and they are few: then they are ordered directly.
        return ListRowids(connection, query, words, fewMatches: false, matches)
            ?? ListRowids(connection, query, words, fewMatches: true, matches: null)!;
    }

    /// <returns>Null when a walk checking <paramref name="matches"/> finds they are fewer than <see cref="CommonWordMatches"/> in all.</returns>
    private List<long>? ListRowids(SqliteConnection connection, RunQuery query, IReadOnlyList<string> words, bool fewMatches, MatchStream? matches)
    {
        using var command = connection.CreateCommand();
        var byDuration = query.Sort == RunSort.Duration;
        var key = byDuration ? "r.duration" : "r.started_at";
        var source = fewMatches ? "runs r NOT INDEXED" : byDuration ? "runs r INDEXED BY runs_list_duration" : "runs r INDEXED BY runs_list";
        var sql = new StringBuilder().Append(CultureInfo.InvariantCulture, $"SELECT r.rowid FROM {source} WHERE r.status NOT IN ({Statuses})");

        // By start, a common word's matches are checked while walking (see PageRowids); by duration,
        // whose order the rowids do not follow, a correlated scalar subquery checks each candidate
        // after the cheaper terms (an IN or EXISTS could be turned into a full list of the matches).
        var checkWhileWalking = matches is not null;
        if (words.Count > 0 && !checkWhileWalking)
        {
            command.Parameters.AddWithValue("$q", SearchText.FtsQuery(words));
            sql.Append(fewMatches
                ? " AND r.rowid IN (SELECT rowid FROM runs_fts WHERE runs_fts MATCH $q)"
                : " AND (SELECT 1 FROM runs_fts WHERE runs_fts MATCH $q AND rowid = r.rowid) IS NOT NULL");
        }

        AppendIn(sql, command, "r.backend", "$b", query.Backends.Select(b => (object)b).ToList(), " COLLATE NOCASE");
        AppendIn(sql, command, "r.status", "$s", query.Statuses.Select(s => (object)StatusName(s)).ToList(), "");
        if (query.Since is { } since)
        {
            sql.Append(" AND r.started_at >= $since");
            command.Parameters.AddWithValue("$since", since.UtcTicks);
        }

        if (query.Until is { } until)
        {
            sql.Append(" AND r.started_at <= $until");
            command.Parameters.AddWithValue("$until", until.UtcTicks);
        }

        if (byDuration)
        {
            sql.Append(" AND r.duration IS NOT NULL");
        }

        if (query.Before is { } cursor)
        {
            sql.Append(CultureInfo.InvariantCulture, $" AND ({key}, r.id) < ($ck, $cid)");
            command.Parameters.AddWithValue("$ck", cursor.Key);
            command.Parameters.AddWithValue("$cid", cursor.Id);
        }

        // Checked while walking, the walk has no LIMIT: it stops once the page is full.
        sql.Append(CultureInfo.InvariantCulture, $" ORDER BY {key} DESC, r.id DESC{(checkWhileWalking ? "" : " LIMIT $limit")};");
        command.Parameters.AddWithValue("$limit", query.Limit + 1);
        command.CommandText = sql.ToString();
        var rowids = new List<long>(query.Limit + 1);
        using var reader = command.ExecuteReader();
        while (rowids.Count <= query.Limit && reader.Read())
        {
            var rowid = reader.GetInt64(0);
            if (!checkWhileWalking)
            {
                rowids.Add(rowid);
            }
            else if (matches!.Contains(rowid))
            {
                rowids.Add(rowid);
            }
            else if (matches.AllRead && matches.Count < CommonWordMatches)
            {
                return null;
            }
        }

        return rowids;
    }

    /// <summary>
    /// A search's matching rowids, read from the full-text index newest first, a chunk at a time
    /// and only as far as asked (the index serves <c>ORDER BY rowid DESC</c> in its own order).
    /// </summary>
    private sealed class MatchStream : IDisposable
    {
        private readonly SqliteCommand _next;
        private readonly SqliteParameter _below;
        private const int MaxChunk = 4096;
        private readonly SqliteParameter _size;
        private readonly HashSet<long> _read = [];
        private int _chunk;
        private bool _done;

        /// <param name="chunk">The first chunk's size; each next one is four times larger, up to <see cref="MaxChunk"/>.</param>
        public MatchStream(SqliteConnection connection, string ftsQuery, int chunk)
        {
            _chunk = Math.Max(1, chunk);
            _next = connection.CreateCommand();
            _next.CommandText = "SELECT rowid FROM runs_fts WHERE runs_fts MATCH $q AND rowid < $below ORDER BY rowid DESC LIMIT $n;";
            _next.Parameters.AddWithValue("$q", ftsQuery);
            _size = _next.Parameters.AddWithValue("$n", _chunk);
            _below = _next.Parameters.AddWithValue("$below", long.MaxValue);
        }

        /// <summary>Every match has been read.</summary>
        public bool AllRead => _done;

        /// <summary>Matches read so far.</summary>
        public int Count => _read.Count;

        /// <summary>True when the search has fewer than <paramref name="count"/> matches in all (reads at most that many).</summary>
        public bool FewerThan(int count)
        {
            while (!_done && _read.Count < count)
            {
                ReadChunk();
            }

            return _done && _read.Count < count;
        }

        /// <summary>Whether the run of this rowid matches; reads on until the matches read reach below it.</summary>
        public bool Contains(long rowid)
        {
            while (!_done && rowid < (long)_below.Value!)
            {
                ReadChunk();
            }

            return _read.Contains(rowid);
        }

        public void Dispose() => _next.Dispose();

        private void ReadChunk()
        {
            var n = 0;
            using (var reader = _next.ExecuteReader())
            {
                while (reader.Read())
                {
                    var rowid = reader.GetInt64(0);
                    _read.Add(rowid);
                    _below.Value = rowid;
                    n++;
                }
            }

            _done = n < _chunk;
            _chunk = Math.Min(MaxChunk, Math.Max(_chunk, _chunk * 4));
            _size.Value = _chunk;
        }
    }

    public bool DeleteRun(string runId)
    {
        using var connection = OpenConnection();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM runs WHERE id = $id;";
        command.Parameters.AddWithValue("$id", runId);
        var removed = command.ExecuteNonQuery();
        command.CommandText = "DELETE FROM events WHERE run_id = $id;";
        command.ExecuteNonQuery();
        transaction.Commit();
        return removed > 0;
    }

    public IReadOnlyList<string> ClearEnded()
    {
        using var connection = OpenConnection();
        using var transaction = connection.BeginTransaction();
        var ids = new List<string>();
        using (var select = connection.CreateCommand())
        {
            select.Transaction = transaction;
            select.CommandText = $"SELECT id FROM runs WHERE pinned = 0 AND status NOT IN ({Statuses});";
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                ids.Add(reader.GetString(0));
            }
        }

        using (var delete = connection.CreateCommand())
        {
            delete.Transaction = transaction;
            delete.CommandText =
                $"""
                DELETE FROM events WHERE run_id IN (SELECT id FROM runs WHERE pinned = 0 AND status NOT IN ({Statuses}));
                DELETE FROM runs WHERE pinned = 0 AND status NOT IN ({Statuses});
                """;
            delete.ExecuteNonQuery();
        }

        transaction.Commit();
        // The freed pages go back to the file system bit by bit with the retention passes.
        return ids;
    }

    public bool SetPinned(string runId, bool pinned)
    {
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE runs SET pinned = $p WHERE id = $id;";
        command.Parameters.AddWithValue("$p", pinned ? 1 : 0);
        command.Parameters.AddWithValue("$id", runId);
        return command.ExecuteNonQuery() == 1;
    }

    public bool IsPinned(string runId)
    {
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT pinned FROM runs WHERE id = $id;";
        command.Parameters.AddWithValue("$id", runId);
        return command.ExecuteScalar() is long p && p != 0;
    }

    public IReadOnlyList<GraphPoint> GraphHistory(string backend, DateTimeOffset since, int maxPoints)
    {
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.Parameters.AddWithValue("$b", backend);
        command.Parameters.AddWithValue("$since", since.UtcTicks);
        command.CommandText = "SELECT count(*), min(at), max(at) FROM graph_points WHERE backend = $b AND at >= $since;";
        long count, first, last;
        using (var span = command.ExecuteReader())
        {
            span.Read();
            (count, first, last) = (span.GetInt64(0), span.IsDBNull(1) ? 0 : span.GetInt64(1), span.IsDBNull(2) ? 0 : span.GetInt64(2));
        }

        // Downsampled only when there are more points than asked for, and over the time the points
        // cover (see GraphDownsampling): buckets over the whole range squeezed a short history into a point or two.
        command.Parameters.AddWithValue("$first", first);
        command.Parameters.AddWithValue("$bucket", GraphDownsampling.Bucket(count, first, last, maxPoints));
        // The last point of each time bucket (SQLite returns the row that holds max(at)).
        command.CommandText = "SELECT max(at), nodes FROM graph_points WHERE backend = $b AND at >= $since GROUP BY (at - $first) / $bucket ORDER BY 1;";
        var points = new List<GraphPoint>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            points.Add(new GraphPoint(new DateTimeOffset(reader.GetInt64(0), TimeSpan.Zero), (int)reader.GetInt64(1)));
        }

        return points;
    }

    public IReadOnlyList<StoredGraph> LatestGraphs(int points)
    {
        using var connection = OpenConnection();
        var graphs = new List<(string Backend, GraphStats Stats)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT backend, stats FROM graphs ORDER BY backend;";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                graphs.Add((reader.GetString(0), JsonSerializer.Deserialize<GraphStats>(reader.GetString(1), StoreJson.Options)!));
            }
        }

        var result = new List<StoredGraph>();
        foreach (var (backend, stats) in graphs)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT at, nodes FROM graph_points WHERE backend = $b ORDER BY at DESC LIMIT $n;";
            command.Parameters.AddWithValue("$b", backend);
            command.Parameters.AddWithValue("$n", points);
            var history = new List<GraphPoint>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                history.Add(new GraphPoint(new DateTimeOffset(reader.GetInt64(0), TimeSpan.Zero), (int)reader.GetInt64(1)));
            }

            history.Reverse();
            result.Add(new StoredGraph(backend, stats, history));
        }

        return result;
    }

    public async Task<EventReplay> ReplayAsync(long after, int max, CancellationToken cancellationToken = default)
    {
        var last = Interlocked.Read(ref _last);
        await FlushAsync(cancellationToken);
        using var connection = OpenConnection();
        var events = new List<SequencedEvent>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT seq, at, type, backend, run_id, data FROM events WHERE seq > $after AND seq <= $last ORDER BY seq LIMIT $max;";
            command.Parameters.AddWithValue("$after", after);
            command.Parameters.AddWithValue("$last", last);
            command.Parameters.AddWithValue("$max", Math.Max(0, max));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var e = EventCodec.Decode((int)reader.GetInt64(2), reader.GetInt64(1), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5));
                events.Add(new SequencedEvent(reader.GetInt64(0), e));
            }
        }

        var first = SqliteSchema.Scalar(connection, "SELECT min(seq) FROM events;") is long f ? f : last + 1;
        var upTo = events.Count == max && events.Count > 0 ? events[^1].Sequence : last;
        using var gaps = connection.CreateCommand();
        gaps.CommandText = "SELECT count(*) FROM gaps WHERE last > $after AND first <= $upTo;";
        gaps.Parameters.AddWithValue("$after", after);
        gaps.Parameters.AddWithValue("$upTo", upTo);
        var gap = (long)gaps.ExecuteScalar()! > 0;
        return new EventReplay(events, InstanceId, last, first, gap);
    }

    /// <summary>Rows one retention statement removes at most (settable so tests cross slices with few rows).</summary>
    internal int RetentionSlice { get; set; } = DefaultRetentionSlice;

    /// <summary>Events (and graph points) one retention statement removes: a few milliseconds of the writer's time.</summary>
    public const int DefaultRetentionSlice = 2000;

    /// <summary>
    /// Retention runs on the writer, one short statement at a time between write batches (see
    /// <see cref="SqliteRetentionPass"/>); this waits for the pass to end and reports what it removed.
    /// </summary>
    public RetentionResult EnforceRetention(DateTimeOffset now)
    {
        long counted;
        using (var connection = OpenConnection())
        {
            // Counted here, on a reading connection (WAL readers never hold the writer up), not on the writer.
            counted = (long)SqliteSchema.Scalar(connection, "SELECT count(*) FROM events;")!;
        }

        var pass = new SqliteRetentionPass(now, TimeSpan.FromDays(_options.RetentionDays), _options.ReplayWindow, _options.MaxRuns, counted, MaxReplayEvents, RetentionSlice);
        if (!_queue.Writer.TryWrite(new RetentionItem(pass)))
        {
            // Closing: the writer takes no more work, and the next start prunes.
            return new RetentionResult(0, 0, 0);
        }

        return pass.Done.Task.GetAwaiter().GetResult();
    }

    /// <summary>Called by the writer between write batches while a retention pass is under way.</summary>
    private void RunRetentionSlice()
    {
        var pass = _retention.Peek();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            pass.RunSlice(_write);
            WriterSteps?.Invoke(WriterStep.RetentionSlice);
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException)
        {
            // The pass ends here and says why; the next one starts over.
            _retention.Dequeue();
            pass.Done.TrySetException(ex);
            return;
        }
        finally
        {
            Interlocked.Increment(ref _retentionSlices);
            SqliteWriterStats.RaiseTo(ref _longestSliceTicks, System.Diagnostics.Stopwatch.GetElapsedTime(started).Ticks);
        }

        if (pass.Finished)
        {
            _retention.Dequeue();
            SqliteWriterStats.RaiseTo(ref _longestPassTicks, System.Diagnostics.Stopwatch.GetElapsedTime(pass.Started).Ticks);
            pass.Done.TrySetResult(pass.Result);
        }
    }

    /// <summary>What the writer did, in order (tests watch a pass interleave with write batches).</summary>
    internal Action<WriterStep>? WriterSteps { get; set; }

    internal enum WriterStep
    {
        Batch,
        RetentionSlice,
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
            // Shutdown: what was queued is written before the file is closed.
            _writer?.Wait(TimeSpan.FromSeconds(30));
            _reserving?.Wait(TimeSpan.FromSeconds(5));
            _checkpointer?.Dispose();
        }
        catch (AggregateException ex)
        {
            _logger.LogError("The history writer stopped with an error: {Error}", ex.InnerException?.Message);
        }

        if (_writer is { IsCompletedSuccessfully: true } && _write is not null)
        {
            try
            {
                // Only now is the file known to be whole: the next start may skip the full check.
                SqliteStoreFile.MarkClosed(_write);
            }
            catch (SqliteException ex)
            {
                _logger.LogWarning("The history file could not be marked as closed cleanly; the next start checks it in full: {Error}", ex.Message);
            }
        }

        _insertEvent?.Dispose();
        _upsertRun?.Dispose();
        _insertPoint?.Dispose();
        _upsertGraph?.Dispose();
        _sequenceConnection?.Dispose();
        _write?.Dispose();
        SqliteConnection.ClearAllPools();
        _lock?.Dispose();
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        while (true)
        {
            // While a retention pass is under way the writer does not wait for work: a slice of the
            // pass follows each batch, or runs alone when nothing is queued.
            if (_retention.Count == 0 && !await reader.WaitToReadAsync())
            {
                break;
            }

            if (!reader.TryPeek(out _))
            {
                if (reader.Completion.IsCompleted)
                {
                    break;
                }

                RunRetentionSlice();
                continue;
            }

            WriteOneBatch(reader);
            if (_retention.Count > 0)
            {
                RunRetentionSlice();
            }
        }

        // Closing: a pass not finished reports what it removed; the next start goes on with the rest.
        while (_retention.TryDequeue(out var pass))
        {
            pass.Done.TrySetResult(pass.Result);
        }
    }

    private void WriteOneBatch(ChannelReader<WriteItem> reader)
    {
        var flushes = new List<TaskCompletionSource>();
        var taken = 0;
        try
        {
            WriteBatch(reader, flushes, ref taken);
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException or IOException or ArgumentException or NotSupportedException or JsonException)
        {
            // A failed batch (disk full, I/O error, an event it cannot encode) loses that batch
            // only; the writer goes on, so history and every later flush keep working.
            _logger.LogError("The history store could not write a batch: {Error}", _redactor.Redact(ex.Message));
        }
        finally
        {
            // Written, or lost with a failed batch: either way no longer waited for.
            Interlocked.Add(ref _unwritten, -taken);
            foreach (var flush in flushes)
            {
                flush.TrySetResult();
            }
        }

        WriterSteps?.Invoke(WriterStep.Batch);
    }

    private void WriteBatch(ChannelReader<WriteItem> reader, List<TaskCompletionSource> flushes, ref int taken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var transaction = _write.BeginTransaction();
        SqliteWriterStats.RaiseTo(ref _longestBeginTicks, System.Diagnostics.Stopwatch.GetElapsedTime(started).Ticks);
        foreach (var command in new[] { _insertEvent, _upsertRun, _insertPoint, _upsertGraph })
        {
            command.Transaction = transaction;
        }

        // A value saved many times in one batch (a cursor per event) is written once, with the events before it.
        Dictionary<string, string>? values = null;
        for (var n = 0; n < BatchSize && reader.TryRead(out var item); n++)
        {
            switch (item)
            {
                case EventItem e:
                    Interlocked.Decrement(ref _queuedEvents);
                    Interlocked.Add(ref _queuedBytes, -e.Size);
                    taken++;
                    WriteEvent(e.Item);
                    break;
                case RunItem r:
                    taken++;
                    WriteRun(r.Run);
                    break;
                case ValueItem v:
                    taken++;
                    (values ??= new(StringComparer.Ordinal))[v.Key] = v.Value;
                    break;
                case FlushItem f:
                    flushes.Add(f.Done);
                    n = BatchSize;
                    break;
                case RetentionItem r:
                    _retention.Enqueue(r.Pass);
                    break;
            }
        }

        foreach (var (key, value) in values ?? [])
        {
            using var command = _write.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO meta(key, value) VALUES ($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value;";
            command.Parameters.AddWithValue("$k", ValuePrefix + key);
            command.Parameters.AddWithValue("$v", value);
            command.ExecuteNonQuery();
        }

        WriteGaps(transaction);
        transaction.Commit();
        Interlocked.Increment(ref _batches);
        SqliteWriterStats.RaiseTo(ref _longestBatchTicks, System.Diagnostics.Stopwatch.GetElapsedTime(started).Ticks);
        _checkpointer?.Ask();
    }

    private void WriteEvent(in SequencedEvent item)
    {
        var e = item.Event;
        var (type, data) = EventCodec.Encode(e);
        var p = _insertEvent.Parameters;
        p[0].Value = item.Sequence;
        p[1].Value = e.At.UtcTicks;
        p[2].Value = type;
        p[3].Value = e.Backend;
        p[4].Value = (e as RunEvent)?.RunId ?? (object)DBNull.Value;
        p[5].Value = _redactor.Redact(data);
        _insertEvent.ExecuteNonQuery();

        if (e is GraphStatsObserved g)
        {
            _insertPoint.Parameters[0].Value = g.Backend;
            _insertPoint.Parameters[1].Value = g.At.UtcTicks;
            _insertPoint.Parameters[2].Value = g.Stats.Nodes;
            _insertPoint.ExecuteNonQuery();
            _upsertGraph.Parameters[0].Value = g.Backend;
            _upsertGraph.Parameters[1].Value = JsonSerializer.Serialize(g.Stats, StoreJson.Options);
            _upsertGraph.Parameters[2].Value = g.At.UtcTicks;
            _upsertGraph.ExecuteNonQuery();
        }
    }

    private void WriteRun(RunView run)
    {
        var p = _upsertRun.Parameters;
        p[0].Value = run.Id;
        p[1].Value = run.Backend;
        p[2].Value = StatusName(run.Status);
        p[3].Value = run.StartedAt.UtcTicks;
        p[4].Value = run.EndedAt?.UtcTicks ?? (object)DBNull.Value;
        p[5].Value = run.EndedAt is { } end ? (end - run.StartedAt).Ticks : DBNull.Value;
        p[6].Value = _redactor.Redact(run.Prompt);
        p[7].Value = _redactor.Redact(run.Text.ToString());
        p[8].Value = _redactor.Redact(JsonSerializer.Serialize(RunRecord.Summary(run), StoreJson.Options));
        p[9].Value = _redactor.Redact(JsonSerializer.Serialize(RunRecord.Detail(run), StoreJson.Options));
        _upsertRun.ExecuteNonQuery();
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

    private void WriteGaps(SqliteTransaction transaction)
    {
        (long First, long Last)[] gaps;
        lock (_gapGate)
        {
            if (_pendingGaps.Count == 0)
            {
                return;
            }

            gaps = [.. _pendingGaps];
            _pendingGaps.Clear();
        }

        foreach (var (first, last) in gaps)
        {
            using var command = _write.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO gaps(first, last) VALUES ($f, $l) ON CONFLICT(first) DO UPDATE SET last = max(last, excluded.last);";
            command.Parameters.AddWithValue("$f", first);
            command.Parameters.AddWithValue("$l", last);
            command.ExecuteNonQuery();
        }

        _logger.LogWarning("History is behind by {Dropped} events (the store's queue was full); replays across them get a snapshot.", DroppedEvents);
    }

    /// <summary>
    /// Runs that were pending or running when the dashboard stopped. Those <paramref name="resume"/>
    /// accepts (rebuilt whole from their stored events) are handed over still in flight; the
    /// others cannot be followed from here, so they end interrupted with what was received until
    /// then (rebuilt from their stored events through the same projection the live run used).
    /// </summary>
    private (List<string> Settled, List<InFlightRun> Resumable) SettleInterruptedRuns(Func<RunView, bool>? resume)
    {
        var rows = new List<(string Id, string Prompt, string Output, string Summary, string Detail)>();
        using (var command = _write.CreateCommand())
        {
            command.CommandText = $"SELECT id, prompt, output, summary, detail FROM runs WHERE status IN ({Statuses});";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4)));
            }
        }

        var settled = new List<string>();
        var resumable = new List<InFlightRun>();
        var interrupted = new List<RunView>();
        foreach (var row in rows)
        {
            var events = StoredEvents(row.Id);
            var (handedOver, ended) = InFlightSettlement.Settle(
                InFlightSettlement.Project(row.Id, events),
                events,
                () => RunRecord.ToView(row.Id, row.Prompt, row.Output, Summary(row.Summary), Detail(row.Detail)),
                LastEventAt(row.Id),
                resume);
            if (handedOver is not null)
            {
                resumable.Add(handedOver);
            }
            else
            {
                interrupted.Add(ended!);
            }
        }

        if (interrupted.Count == 0)
        {
            return (settled, resumable);
        }

        using var upsert = Prepare(
            "UPDATE runs SET status = $status, ended_at = $ended, duration = $duration, output = $output, summary = $summary, detail = $detail WHERE id = $id;",
            "$status", "$ended", "$duration", "$output", "$summary", "$detail", "$id");
        using var ending = Prepare("INSERT INTO events(seq, at, type, backend, run_id, data) VALUES ($seq, $at, $type, $backend, $run, $data);",
            "$seq", "$at", "$type", "$backend", "$run", "$data");
        using var transaction = _write.BeginTransaction();
        upsert.Transaction = transaction;
        ending.Transaction = transaction;
        foreach (var run in interrupted)
        {
            var ended = run.EndedAt!.Value;
            var p = upsert.Parameters;
            p[0].Value = StatusName(RunStatus.Interrupted);
            p[1].Value = ended.UtcTicks;
            p[2].Value = (ended - run.StartedAt).Ticks;
            p[3].Value = run.Text.ToString();
            p[4].Value = JsonSerializer.Serialize(RunRecord.Summary(run), StoreJson.Options);
            p[5].Value = JsonSerializer.Serialize(RunRecord.Detail(run), StoreJson.Options);
            p[6].Value = run.Id;
            upsert.ExecuteNonQuery();

            // Its end is an event like any other, so a client replaying from before the stop hears it.
            var (type, data) = EventCodec.Encode(InFlightSettlement.Ended(run));
            var e = ending.Parameters;
            e[0].Value = ++_last;
            e[1].Value = ended.UtcTicks;
            e[2].Value = type;
            e[3].Value = run.Backend;
            e[4].Value = run.Id;
            e[5].Value = _redactor.Redact(data);
            ending.ExecuteNonQuery();
            settled.Add(run.Id);
        }

        transaction.Commit();
        if (settled.Count > 0)
        {
            _logger.LogWarning("{Count} runs were in flight when the dashboard last stopped; they are marked interrupted.", settled.Count);
        }

        return (settled, resumable);
    }

    public const string InterruptedMessage =
        "The dashboard stopped (shut down or crashed) while this run was in flight, and its stream cannot be resumed; the text received until then is kept.";

    /// <summary>The run as its stored events build it (null without its creation, e.g. pruned), and those events.</summary>
    /// <summary>The run's stored events, in sequence order.</summary>
    private List<SequencedEvent> StoredEvents(string runId)
    {
        using var command = _write.CreateCommand();
        command.CommandText = "SELECT seq, at, type, backend, run_id, data FROM events WHERE run_id = $id ORDER BY seq;";
        command.Parameters.AddWithValue("$id", runId);
        var events = new List<SequencedEvent>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var e = EventCodec.Decode((int)reader.GetInt64(2), reader.GetInt64(1), reader.GetString(3), reader.GetString(4), reader.GetString(5));
            events.Add(new SequencedEvent(reader.GetInt64(0), e));
        }

        return events;
    }

    private DateTimeOffset? LastEventAt(string runId)
    {
        using var command = _write.CreateCommand();
        command.CommandText = "SELECT max(at) FROM events WHERE run_id = $id;";
        command.Parameters.AddWithValue("$id", runId);
        return command.ExecuteScalar() is long at ? new DateTimeOffset(at, TimeSpan.Zero) : null;
    }

    private void Reserve(long through)
    {
        using var command = _sequenceConnection.CreateCommand();
        command.CommandText = "INSERT INTO meta(key, value) VALUES ('sequence_reserved', $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value;";
        command.Parameters.AddWithValue("$v", through.ToString(CultureInfo.InvariantCulture));
        command.ExecuteNonQuery();
        Volatile.Write(ref _reserved, through);
    }

    private string ReadOrCreateInstanceId()
    {
        if (Meta("instance_id") is { } existing)
        {
            return existing;
        }

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        using var command = _write.CreateCommand();
        command.CommandText = "INSERT INTO meta(key, value) VALUES ('instance_id', $v);";
        command.Parameters.AddWithValue("$v", id);
        command.ExecuteNonQuery();
        return id;
    }

    private string? Meta(string key)
    {
        using var command = _write.CreateCommand();
        command.CommandText = "SELECT value FROM meta WHERE key = $k;";
        command.Parameters.AddWithValue("$k", key);
        return command.ExecuteScalar() as string;
    }

    private SqliteConnection OpenConnection(bool synchronousFull = false)
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // Per connection; the reservation connection waits for the disk (it is rare and must survive power loss).
        SqliteSchema.Execute(connection, synchronousFull ? "PRAGMA synchronous = FULL;" : "PRAGMA synchronous = NORMAL;");
        return connection;
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _write.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter(name, null));
        }

        command.Prepare();
        return command;
    }

    private static void AppendIn(StringBuilder sql, SqliteCommand command, string column, string prefix, List<object> values, string collate)
    {
        if (values.Count == 0)
        {
            return;
        }

        sql.Append(CultureInfo.InvariantCulture, $" AND {column}{collate} IN (");
        for (var i = 0; i < values.Count; i++)
        {
            var name = prefix + i.ToString(CultureInfo.InvariantCulture);
            sql.Append(i == 0 ? name : "," + name);
            command.Parameters.AddWithValue(name, values[i]);
        }

        sql.Append(')');
    }

    internal static string StatusName(RunStatus status) => status.ToString().ToLowerInvariant();

    private static RunSummaryDoc Summary(string json) => JsonSerializer.Deserialize<RunSummaryDoc>(json, StoreJson.Options)!;

    private static RunDetailDoc Detail(string json) => JsonSerializer.Deserialize<RunDetailDoc>(json, StoreJson.Options)!;

    private abstract record WriteItem;

    private sealed record EventItem(SequencedEvent Item, long Size) : WriteItem;

    private sealed record RunItem(RunView Run) : WriteItem;

    private sealed record FlushItem(TaskCompletionSource Done) : WriteItem;

    private sealed record ValueItem(string Key, string Value) : WriteItem;

    private sealed record RetentionItem(SqliteRetentionPass Pass) : WriteItem;
}
