using Microsoft.Data.Sqlite;

namespace Dashboard.Storage;

/// <summary>
/// Versioned schema (PRAGMA user_version). Each step runs in its own transaction and is never
/// edited once shipped; a file of an older version is upgraded in place, one of a newer version
/// is refused. Times are UTC ticks (100 ns), so ordering and cursors are plain integers.
/// </summary>
internal static class SqliteSchema
{
    public const int Current = 3;

    private static readonly string[] Steps =
    [
        // v1: events (the global sequence is the primary key, so it is the replay cursor), runs
        // written whole, graph history, and the gaps left by queue overflow.
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY,
            at INTEGER NOT NULL,
            type INTEGER NOT NULL,
            backend TEXT NOT NULL,
            run_id TEXT,
            data TEXT NOT NULL) STRICT;
        CREATE INDEX events_at ON events(at);
        CREATE INDEX events_run ON events(run_id) WHERE run_id IS NOT NULL;
        CREATE TABLE gaps (first INTEGER PRIMARY KEY, last INTEGER NOT NULL) STRICT;
        CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            backend TEXT NOT NULL,
            status TEXT NOT NULL,
            started_at INTEGER NOT NULL,
            ended_at INTEGER,
            prompt TEXT NOT NULL,
            output TEXT NOT NULL,
            summary TEXT NOT NULL,
            detail TEXT NOT NULL) STRICT;
        CREATE INDEX runs_started ON runs(started_at DESC, id DESC);
        CREATE TABLE graphs (backend TEXT PRIMARY KEY, stats TEXT NOT NULL, at INTEGER NOT NULL) STRICT;
        CREATE TABLE graph_points (backend TEXT NOT NULL, at INTEGER NOT NULL, nodes INTEGER NOT NULL) STRICT;
        CREATE INDEX graph_points_at ON graph_points(backend, at);
        """,

        // v2: pinning, duration sort, and full-text search over prompt and output (an external
        // content FTS5 index kept by triggers, built here from the runs a v1 file already has).
        """
        ALTER TABLE runs ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE runs ADD COLUMN duration INTEGER;
        UPDATE runs SET duration = ended_at - started_at WHERE ended_at IS NOT NULL;
        CREATE INDEX runs_duration ON runs(duration DESC, id DESC) WHERE duration IS NOT NULL;
        CREATE INDEX runs_ended ON runs(ended_at) WHERE ended_at IS NOT NULL;
        CREATE VIRTUAL TABLE runs_fts USING fts5(prompt, output, content='runs', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');
        CREATE TRIGGER runs_fts_insert AFTER INSERT ON runs BEGIN
            INSERT INTO runs_fts(rowid, prompt, output) VALUES (new.rowid, new.prompt, new.output);
        END;
        CREATE TRIGGER runs_fts_delete AFTER DELETE ON runs BEGIN
            INSERT INTO runs_fts(runs_fts, rowid, prompt, output) VALUES ('delete', old.rowid, old.prompt, old.output);
        END;
        CREATE TRIGGER runs_fts_update AFTER UPDATE OF prompt, output ON runs BEGIN
            INSERT INTO runs_fts(runs_fts, rowid, prompt, output) VALUES ('delete', old.rowid, old.prompt, old.output);
            INSERT INTO runs_fts(rowid, prompt, output) VALUES (new.rowid, new.prompt, new.output);
        END;
        INSERT INTO runs_fts(runs_fts) VALUES ('rebuild');
        """,

        // v3: list indexes that cover every column a page is filtered and ordered on, so finding a
        // page walks only the narrow index and never the wide rows (a run's output and detail fill
        // its row and overflow pages: reading a column after them walks the whole chain); and a
        // small partial index for the runs in flight, which start-up looks for.
        """
        CREATE INDEX runs_list ON runs(started_at DESC, id DESC, status, backend);
        CREATE INDEX runs_list_duration ON runs(duration DESC, id DESC, status, backend, started_at) WHERE duration IS NOT NULL;
        DROP INDEX runs_started;
        DROP INDEX runs_duration;
        CREATE INDEX runs_in_flight ON runs(status) WHERE status IN ('pending','running');
        """,
    ];

    public static int VersionOf(SqliteConnection connection) => (int)(long)Scalar(connection, "PRAGMA user_version;")!;

    /// <summary>Brings the file from its version to <paramref name="target"/> (tests build a v1 file with target 1).</summary>
    public static void Migrate(SqliteConnection connection, int target = Current)
    {
        var version = VersionOf(connection);
        if (version == 0)
        {
            // Must precede the first table: lets retention give pages back to the file system.
            Execute(connection, "PRAGMA auto_vacuum = INCREMENTAL;");
        }

        for (var step = version; step < target; step++)
        {
            using var transaction = connection.BeginTransaction();
            Execute(connection, Steps[step], transaction);
            Execute(connection, $"PRAGMA user_version = {step + 1};", transaction);
            transaction.Commit();
        }
    }

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
