namespace Dashboard.Configuration;

/// <summary>History store: <c>Dashboard:Storage:…</c>.</summary>
public sealed class StorageOptions
{
    public const string Sqlite = "sqlite";
    public const string Memory = "memory";
    public const string Postgres = "postgres";

    /// <summary><c>sqlite</c> (default): history survives restarts; <c>memory</c>: history off; <c>postgres</c>: shared by replicas (<c>ConnectionStrings:Dashboard</c>).</summary>
    public string Provider { get; set; } = Sqlite;

    /// <summary>The SQLite file; default LocalApplicationData/Dashboard/dashboard.db (the demo uses dashboard.demo.db beside it).</summary>
    public string? Path { get; set; }

    /// <summary>Ended runs older than this many days are removed (pinned runs are kept).</summary>
    public int RetentionDays { get; set; } = 30;

    /// <summary>Most ended runs kept in the store (oldest unpinned removed first).</summary>
    public int MaxRuns { get; set; } = 10_000;

    /// <summary>How far back a replay from a cursor is served, <c>d.hh:mm:ss</c>.</summary>
    public TimeSpan ReplayWindow { get; set; } = TimeSpan.FromDays(1);
}
