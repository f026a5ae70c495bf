using System.Data.Common;

namespace Dashboard.Storage;

/// <summary>
/// A read refused at once because the history database is known to be unreachable (the writer is
/// retrying): a page or an API call answers from memory instead of waiting on a connection timeout.
/// A <see cref="DbException"/>, so callers handle it like the database's own errors.
/// </summary>
public sealed class HistoryUnavailableException(string message) : DbException(message);
