using System.Globalization;
using Npgsql;

namespace Dashboard.Storage.Postgres;

/// <summary>
/// Versioned schema of the PostgreSQL store (its own steps, not SQLite's). Several replicas may
/// start at once on one database: the steps run under a session advisory lock, so exactly one
/// of them migrates and the others find the work done. Each step runs in its own transaction
/// and is never edited once shipped; a database of a newer version is refused.
/// Times are UTC ticks, as in the SQLite store, so cursors and sort keys are the same integers.
/// </summary>
internal static class PostgresSchema
{
    public const int Current = 2;

    /// <summary>The advisory lock's key: any constant the dashboard alone uses ("DashHist").</summary>
    public const long MigrationLock = 0x4461736848697374;

    /// <summary>Sequence numbers handed out per reservation (one call reserves a whole block, cluster-wide).</summary>
    public const long SequenceBlock = 1 << 20;

    /// <summary>
    /// Characters of prompt + output that are full-text indexed: a tsvector holds at most 1 MB,
    /// and a longer output must not make its run unwritable.
    /// </summary>
    public const int SearchChars = 100_000;

    public static readonly string SearchDocument = $"left(prompt || ' ' || output, {SearchChars})";

    private static readonly string[] Steps =
    [
        // v1: the same tables as the SQLite store, with PostgreSQL's own text search ('simple':
        // no stemming, so both providers find the same words) and a sequence whose every call
        // reserves one block of event numbers for the whole cluster. Ids compare bytewise
        // (COLLATE "C"), as SQLite does, so paging order does not depend on the server's locale.
        $"""
        CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
        CREATE SEQUENCE event_blocks AS bigint INCREMENT BY {SequenceBlock} MINVALUE {SequenceBlock} START WITH {SequenceBlock};
        CREATE TABLE events (
            seq bigint PRIMARY KEY,
            at bigint NOT NULL,
            type integer NOT NULL,
            backend text COLLATE "C" NOT NULL,
            run_id text COLLATE "C",
            data text NOT NULL);
        CREATE INDEX events_at ON events(at);
        CREATE INDEX events_run ON events(run_id) WHERE run_id IS NOT NULL;
        CREATE TABLE gaps (first bigint PRIMARY KEY, last bigint NOT NULL);
        CREATE TABLE runs (
            id text COLLATE "C" PRIMARY KEY,
            backend text COLLATE "C" NOT NULL,
            status text NOT NULL,
            started_at bigint NOT NULL,
            ended_at bigint,
            duration bigint,
            prompt text NOT NULL,
            output text NOT NULL,
            summary text NOT NULL,
            detail text NOT NULL,
            pinned boolean NOT NULL DEFAULT false,
            search tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, {SearchDocument})) STORED);
        CREATE INDEX runs_started ON runs(started_at DESC, id DESC);
        CREATE INDEX runs_duration ON runs(duration DESC, id DESC) WHERE duration IS NOT NULL;
        CREATE INDEX runs_ended ON runs(ended_at) WHERE ended_at IS NOT NULL;
        CREATE INDEX runs_search ON runs USING gin(search);
        CREATE TABLE graphs (backend text COLLATE "C" PRIMARY KEY, stats text NOT NULL, at bigint NOT NULL);
        CREATE TABLE graph_points (id bigserial PRIMARY KEY, backend text COLLATE "C" NOT NULL, at bigint NOT NULL, nodes integer NOT NULL);
        CREATE INDEX graph_points_at ON graph_points(backend, at);
        """,

        // v2: the ASP.NET Core Data Protection key ring, shared by the replicas, so a sign-in
        // cookie one replica issued is read by every other (PostgresXmlRepository).
        """
        CREATE TABLE data_protection_keys (id bigserial PRIMARY KEY, name text NOT NULL, xml text NOT NULL);
        """,
    ];

    /// <summary>The database's version: 0 when it has no Dashboard tables yet.</summary>
    public static int VersionOf(NpgsqlConnection connection, NpgsqlTransaction? transaction = null)
    {
        if (Scalar(connection, "SELECT to_regclass('meta') IS NOT NULL;", transaction) is not true)
        {
            return 0;
        }

        return Scalar(connection, "SELECT value FROM meta WHERE key = 'schema_version';", transaction) is string v
            ? int.Parse(v, CultureInfo.InvariantCulture)
            : 0;
    }

    /// <summary>Brings the database to <see cref="Current"/>; the caller refuses a newer one (returned).</summary>
    public static int Migrate(NpgsqlConnection connection)
    {
        Execute(connection, $"SELECT pg_advisory_lock({MigrationLock});");
        try
        {
            var version = VersionOf(connection);
            for (var step = version; step < Current; step++)
            {
                using var transaction = connection.BeginTransaction();
                Execute(connection, Steps[step], transaction);
                Execute(connection,
                    $"INSERT INTO meta(key, value) VALUES ('schema_version', '{step + 1}') ON CONFLICT (key) DO UPDATE SET value = excluded.value;",
                    transaction);
                transaction.Commit();
            }

            return version;
        }
        finally
        {
            Execute(connection, $"SELECT pg_advisory_unlock({MigrationLock});");
        }
    }

    public static void Execute(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        command.ExecuteNonQuery();
    }

    public static object? Scalar(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        return command.ExecuteScalar();
    }
}
