using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.State;

namespace Dashboard.Storage;

/// <summary>
/// Where history lives (SQLite by default; memory when history is off; PostgreSQL later, behind
/// the same interface). Writes arrive through <see cref="IEventJournal"/> and never wait on disk;
/// reads serve the API, the pages and replays.
/// </summary>
public interface IHistoryStore : IEventJournal, IRunArchive, IKeptValues, IDisposable
{
    /// <summary><c>sqlite</c> or <c>memory</c>.</summary>
    string Provider { get; }

    /// <summary>False for the memory provider: nothing survives a restart.</summary>
    bool IsDurable { get; }

    /// <summary>The file, for the sqlite provider.</summary>
    string? Location { get; }

    /// <summary>Random id of this store, kept for its life: cursors from another instance are not ours.</summary>
    string InstanceId { get; }

    /// <summary>Events not written because the queue was full ("history is behind by N events").</summary>
    long DroppedEvents { get; }

    /// <summary>Null while writes get through; otherwise since when the database is unreachable and what waits (a database server's store only).</summary>
    HistoryBehind? Behind => null;

    /// <summary>Runs that were in flight when the dashboard last stopped and were settled at this start.</summary>
    IReadOnlyList<string> InterruptedAtStart { get; }

    /// <summary>
    /// Runs that were in flight when the dashboard last stopped and are left in flight for their
    /// client to follow again (re-attach); whoever takes them over must end each one.
    /// </summary>
    IReadOnlyList<InFlightRun> ResumableAtStart { get; }

    /// <summary>Waits until every event and run queued so far is written.</summary>
    Task FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>Ended runs (newest first by default), filtered; in-flight runs come from memory (see <see cref="RunHistory"/>).</summary>
    RunPage QueryEnded(RunQuery query);

    /// <summary>False when unknown.</summary>
    bool DeleteRun(string runId);

    /// <summary>Clear history: deletes every ended run that is not pinned, with its events; returns the ids deleted.</summary>
    IReadOnlyList<string> ClearEnded();

    /// <summary>False when unknown.</summary>
    bool SetPinned(string runId, bool pinned);

    bool IsPinned(string runId);

    /// <summary>Node counts of a backend's graph since <paramref name="since"/>, downsampled to at most <paramref name="maxPoints"/>.</summary>
    IReadOnlyList<GraphPoint> GraphHistory(string backend, DateTimeOffset since, int maxPoints);

    /// <summary>Each backend's last stats and newest points, to restore the graphs at start-up.</summary>
    IReadOnlyList<StoredGraph> LatestGraphs(int points);

    /// <summary>
    /// The events sequenced after <paramref name="after"/>, exactly as the hub published them
    /// (same sequence, same records), at most <paramref name="max"/>. Waits for queued events to
    /// be written first, so nothing published before the call is missing.
    /// </summary>
    Task<EventReplay> ReplayAsync(long after, int max, CancellationToken cancellationToken = default);

    /// <summary>One retention pass (small batches); returns what it removed.</summary>
    RetentionResult EnforceRetention(DateTimeOffset now);
}

/// <param name="Run">The run as its stored events build it.</param>
/// <param name="Events">Those events, in sequence order (to put the run back into the projections).</param>
/// <param name="LastSeen">When anything of the run was last recorded.</param>
public sealed record InFlightRun(RunView Run, IReadOnlyList<SequencedEvent> Events, DateTimeOffset LastSeen);

public sealed record StoredGraph(string Backend, GraphStats Stats, IReadOnlyList<GraphPoint> History);

/// <param name="Events">In sequence order.</param>
/// <param name="InstanceId">The store's instance id (a cursor of another instance means "start over").</param>
/// <param name="LastSequence">The hub's last sequence when the replay was read.</param>
/// <param name="FirstSequence">The oldest sequence still replayable (the replay window's start); a cursor before it gets a snapshot instead.</param>
/// <param name="Gap">True when events after the cursor were dropped (queue overflow): the caller must send a snapshot, never skip silently.</param>
public sealed record EventReplay(IReadOnlyList<SequencedEvent> Events, string InstanceId, long LastSequence, long FirstSequence, bool Gap);

public sealed record RetentionResult(int Runs, int Events, int GraphPoints);

public enum RunSort { Started, Duration }

/// <summary>A page request over ended runs. <see cref="Before"/> is a decoded cursor.</summary>
public sealed record RunQuery
{
    public IReadOnlyList<string> Backends { get; init; } = [];
    public IReadOnlyList<RunStatus> Statuses { get; init; } = [];
    public string? Text { get; init; }
    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
    public RunSort Sort { get; init; } = RunSort.Started;
    public int Limit { get; init; } = 100;
    public RunCursor? Before { get; init; }
}

/// <summary>Position after the last item of a page: its sort key and id.</summary>
public sealed record RunCursor(RunSort Sort, long Key, string Id);

/// <param name="Run">A summary: text, thinking, timeline and tool calls are left empty.</param>
/// <param name="Match">The search hit in context, the words marked with <see cref="SearchText.MarkStart"/>/<see cref="SearchText.MarkEnd"/>.</param>
public sealed record RunListItem(RunView Run, string? Match, bool Pinned);

public sealed record RunPage(IReadOnlyList<RunListItem> Items, RunCursor? Next);
