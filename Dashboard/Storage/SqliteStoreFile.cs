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

    private static void Check(SqliteConnection connection, string path)
    {
        int version;
        string check;
        try
        {
            version = SqliteSchema.VersionOf(connection);
            check = Convert.ToString(SqliteSchema.Scalar(connection, "PRAGMA quick_check;"), System.Globalization.CultureInfo.InvariantCulture) ?? "";
        }
        catch (SqliteException ex)
        {
            throw Corrupt(path, ex.Message, ex);
        }

        if (version > SqliteSchema.Current)
        {
            throw Refused($"The history file {path} was written by a newer Dashboard (schema {version}; this one knows up to {SqliteSchema.Current}). It was left untouched: run the newer Dashboard, or set {PathKey} to another file.");
        }

        if (!string.Equals(check, "ok", StringComparison.OrdinalIgnoreCase))
        {
            throw Corrupt(path, check, null);
        }
    }

    private static StoreRefusedException Corrupt(string path, string detail, Exception? inner) =>
        Refused($"The history file {path} is damaged or not a Dashboard history file ({OneLine(detail)}). It was left untouched: move it away (or restore a backup), or set {PathKey} to another file.", inner);

    private static StoreRefusedException Refused(string message, Exception? inner = null) => new(message, inner);

    private static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length > 200 ? line[..200] + "…" : line;
    }
}
