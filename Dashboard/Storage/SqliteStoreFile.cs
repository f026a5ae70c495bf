using Microsoft.Data.Sqlite;

namespace Dashboard.Storage;

/// <summary>
/// Opening the history file safely: one process per file (an exclusive lock on a sidecar file),
/// created owner-only, refused (never wiped or overwritten) when it is from a newer version,
/// fails <c>quick_check</c> or cannot be written. Every refusal is one line naming the path and
/// the key to change.
/// </summary>
internal static class SqliteStoreFile
{
    public const string PathKey = "Dashboard:Storage:Path";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static string ConnectionString(string path) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWrite,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    /// <summary>How long a start waits for another process to let go of the file before it is refused.</summary>
    public static readonly TimeSpan LockWait = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan LockRetry = TimeSpan.FromMilliseconds(100);

    /// <summary>Takes the process lock, creates the file if needed and checks it; the caller owns both results.</summary>
    public static (FileStream Lock, SqliteConnection Connection) Open(string path)
    {
        var folder = Path.GetDirectoryName(path)!;
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Refused($"The history folder {folder} cannot be created ({ex.Message}). Set {PathKey} to a file in a writable folder, or Dashboard:Storage:Provider=memory to keep no history.", ex);
        }

        var lockFile = TakeLock(path);
        try
        {
            CreateOwnerOnly(path);
            var connection = new SqliteConnection(ConnectionString(path));
            try
            {
                connection.Open();
                Check(connection, path);
                return (lockFile, connection);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
    }

    private static FileStream TakeLock(string path)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        // A restart can overlap the previous process's last seconds (it writes what it had queued
        // before it closes the file), so the lock is asked for again for a short while before
        // this start is refused.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path + ".lock", options);
            }
            catch (UnauthorizedAccessException ex)
            {
                throw Refused($"The history folder of {path} is not writable ({ex.Message}). Set {PathKey} to a file in a writable folder, or Dashboard:Storage:Provider=memory to keep no history.", ex);
            }
            catch (IOException ex) when (waited.Elapsed >= LockWait)
            {
                throw Refused($"Another Dashboard process is using the history file {path}. Stop it, or give this one its own file with {PathKey}.", ex);
            }
            catch (IOException)
            {
                Thread.Sleep(LockRetry);
            }
        }
    }

    private static void CreateOwnerOnly(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.ReadWrite };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        try
        {
            using var _ = new FileStream(path, options);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Refused($"The history file {path} cannot be opened for writing ({ex.Message}). Fix its permissions, or set {PathKey} to another file.", ex);
        }
    }

    /// <summary>
    /// Files up to this size get the full <c>quick_check</c> at every start (it reads every page:
    /// about a second per few hundred MB on a quiet disk, far more on a busy one).
    /// </summary>
    public const long FullCheckUpToBytes = 64L << 20;

    private const string OpenKey = "open";

    /// <summary>
    /// Recorded once the file is checked and opened; <see cref="MarkClosed"/> clears it after the
    /// last write. Still set at the next start means the last stop was not clean (a crash, a
    /// kill -9, a power cut), so that start checks every page whatever the file's size.
    /// </summary>
    public static void MarkOpen(SqliteConnection connection) => SetOpen(connection, "1");

    public static void MarkClosed(SqliteConnection connection) => SetOpen(connection, "0");

    private static void SetOpen(SqliteConnection connection, string value)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO meta(key, value) VALUES ($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value;";
        command.Parameters.AddWithValue("$k", OpenKey);
        command.Parameters.AddWithValue("$v", value);
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// The integrity check at start. Every file gets the cheap checks (header, page count against
    /// the file's length, the schema and the small tables); the full <c>quick_check</c> of every page
    /// runs when the file is small, or when the last stop was not clean or is unknown. A large file
    /// that was closed cleanly is not read whole: a page damaged since is reported by SQLite when it
    /// is read, and the read fails with that error rather than returning wrong rows.
    /// </summary>
    internal static void Check(SqliteConnection connection, string path, long fullCheckUpToBytes = FullCheckUpToBytes)
    {
        int version;
        string check;
        try
        {
            version = SqliteSchema.VersionOf(connection);
            if (version > SqliteSchema.Current)
            {
                throw Refused($"The history file {path} was written by a newer Dashboard (schema {version}; this one knows up to {SqliteSchema.Current}). It was left untouched: run the newer Dashboard, or set {PathKey} to another file.");
            }

            var full = new FileInfo(path).Length <= fullCheckUpToBytes || !ClosedCleanly(connection);
            check = full ? Text(SqliteSchema.Scalar(connection, "PRAGMA quick_check;")) : CheapCheck(connection, path);
        }
        catch (SqliteException ex)
        {
            throw Corrupt(path, ex.Message, ex);
        }

        if (!string.Equals(check, "ok", StringComparison.OrdinalIgnoreCase))
        {
            throw Corrupt(path, check, null);
        }
    }

    private static bool ClosedCleanly(SqliteConnection connection)
    {
        if (SqliteSchema.Scalar(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta';") is not 1L)
        {
            return false;
        }

        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM meta WHERE key = $k;";
        command.Parameters.AddWithValue("$k", OpenKey);
        return command.ExecuteScalar() as string == "0";
    }

    /// <summary>The header, the file's length against its page count, and every small table and its indexes checked in full.</summary>
    private static string CheapCheck(SqliteConnection connection, string path)
    {
        var header = new byte[100];
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            file.ReadExactly(header);
        }

        if (!header.AsSpan(0, 16).SequenceEqual("SQLite format 3\0"u8))
        {
            return "not an SQLite file header";
        }

        // The header's own page count (valid when its change counter matches) against the file's
        // length: a truncated copy is refused. Pages still in the WAL are beyond both.
        var pageSize = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(16));
        pageSize = pageSize == 1 ? 65536 : pageSize;
        var pages = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(28));
        var counterValid = header.AsSpan(24, 4).SequenceEqual(header.AsSpan(92, 4));
        if (counterValid && new FileInfo(path).Length < pages * pageSize)
        {
            return $"the file is shorter than the {pages} pages its header counts";
        }

        foreach (var table in new[] { "meta", "gaps", "graphs" })
        {
            var result = Text(SqliteSchema.Scalar(connection, $"PRAGMA quick_check({table});"));
            if (!string.Equals(result, "ok", StringComparison.OrdinalIgnoreCase))
            {
                return result;
            }
        }

        return "ok";
    }

    private static string Text(object? value) => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";

    private static StoreRefusedException Corrupt(string path, string detail, Exception? inner) =>
        Refused($"The history file {path} is damaged or not a Dashboard history file ({OneLine(detail)}). It was left untouched: move it away (or restore a backup), or set {PathKey} to another file.", inner);

    private static StoreRefusedException Refused(string message, Exception? inner = null) => new(message, inner);

    private static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length > 200 ? line[..200] + "…" : line;
    }
}
