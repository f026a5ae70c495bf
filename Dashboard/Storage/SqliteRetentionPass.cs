using Microsoft.Data.Sqlite;

namespace Dashboard.Storage;

/// <summary>
/// One retention pass of the SQLite store, run by its writer one short statement at a time between
/// write batches. SQLite lets one connection write at a time; a pass on its own connection held the
/// write lock for one DELETE after another while the writer waited (Microsoft.Data.Sqlite retries a
/// busy lock by sleeping), so a pass of a million events stalled the writer for seconds and its
/// queue overflowed. Each step is one statement of at most <see cref="Slice"/> rows.
/// </summary>
internal sealed class SqliteRetentionPass
{
    /// <summary>Runs removed by one statement: a run's output goes through the full-text index's delete trigger.</summary>
    public const int RunsPerSlice = 50;

    /// <summary>Pages given back to the file system by one statement.</summary>
    private const int VacuumSlice = 250;

    /// <summary>Pages given back per pass at most.</summary>
    private const int VacuumPages = 2000;

    private const string InFlight = SqliteHistoryStore.Statuses;

    private readonly long _runsCut;
    private readonly long _eventsCut;
    private readonly long _eventsOver;
    private readonly int _maxRuns;
    private readonly int _slice;
    private Step _step;
    private long? _runsOver;
    private int _vacuumed;
    private int _runs;
    private int _events;
    private int _points;

    /// <param name="eventsCounted">
    /// The events the store held when the pass was asked for, counted on a reading connection so
    /// the writer never walks the whole table; the events removed by age are taken off it.
    /// </param>
    public SqliteRetentionPass(DateTimeOffset now, TimeSpan runsKept, TimeSpan replayWindow, int maxRuns, long eventsCounted, long maxEvents, int slice)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slice, 1);
        _runsCut = (now - runsKept).UtcTicks;
        _eventsCut = (now - replayWindow).UtcTicks;
        _maxRuns = maxRuns;
        _eventsOver = eventsCounted - maxEvents;
        _slice = slice;
        Started = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    private enum Step
    {
        RunsByAge,
        RunsByCount,
        EventsByAge,
        EventsByCount,
        Gaps,
        GraphPoints,
        Vacuum,
        Done,
    }

    public TaskCompletionSource<RetentionResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>When the pass was asked for (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).</summary>
    public long Started { get; }

    public bool Finished => _step == Step.Done;

    /// <summary>What the pass has removed so far (all of it once <see cref="Finished"/>).</summary>
    public RetentionResult Result => new(_runs, _events, _points);

    /// <summary>Runs the next statement on the writer's connection, in a transaction of its own.</summary>
    public void RunSlice(SqliteConnection connection)
    {
        switch (_step)
        {
            case Step.RunsByAge:
                Advance(ref _runs, Delete(connection, $"DELETE FROM runs WHERE rowid IN (SELECT rowid FROM runs WHERE pinned = 0 AND status NOT IN ({InFlight}) AND ended_at < $cut LIMIT {RunsPerSlice});", _runsCut), RunsPerSlice);
                break;
            case Step.RunsByCount:
                // Counted from the small indexes (all runs less those in flight), after the runs removed by age.
                _runsOver ??= (long)SqliteSchema.Scalar(connection, $"SELECT (SELECT count(*) FROM runs) - (SELECT count(*) FROM runs WHERE status IN ({InFlight}));")! - _maxRuns;
                var runs = _runsOver > 0
                    ? Delete(connection, $"DELETE FROM runs WHERE rowid IN (SELECT rowid FROM runs WHERE pinned = 0 AND status NOT IN ({InFlight}) ORDER BY started_at, id LIMIT $cut);", Math.Min(_runsOver.Value, RunsPerSlice))
                    : 0;
                _runsOver -= runs;
                _runs += runs;
                if (runs == 0 || _runsOver <= 0)
                {
                    _step++;
                }

                break;
            case Step.EventsByAge:
                // In the time index's order (at, then seq): ordered by seq alone SQLite walks the whole
                // table, and the step's last statement, which finds fewer rows than a slice, read all of it.
                Advance(ref _events, Delete(connection, $"DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE at < $cut ORDER BY at, seq LIMIT {_slice});", _eventsCut), _slice);
                break;
            case Step.EventsByCount:
                var over = _eventsOver - _events;
                var events = over > 0 ? Delete(connection, "DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY seq LIMIT $cut);", Math.Min(over, _slice)) : 0;
                _events += events;
                if (events == 0 || over - events <= 0)
                {
                    _step++;
                }

                break;
            case Step.Gaps:
                SqliteSchema.Execute(connection, "DELETE FROM gaps WHERE last < (SELECT coalesce(min(seq), 0) FROM events);");
                _step++;
                break;
            case Step.GraphPoints:
                Advance(ref _points, Delete(connection, $"DELETE FROM graph_points WHERE rowid IN (SELECT rowid FROM graph_points WHERE at < $cut LIMIT {_slice});", _runsCut), _slice);
                break;
            case Step.Vacuum:
                // Gives freed pages back to the file system a little at a time.
                SqliteSchema.Execute(connection, $"PRAGMA incremental_vacuum({VacuumSlice});");
                _vacuumed += VacuumSlice;
                if (_vacuumed >= VacuumPages || (long)SqliteSchema.Scalar(connection, "PRAGMA freelist_count;")! == 0)
                {
                    _step++;
                }

                break;
            case Step.Done:
                break;
        }
    }

    // A statement that removed less than a whole slice found the last rows of its step.
    private void Advance(ref int total, int removed, int slice)
    {
        total += removed;
        if (removed < slice)
        {
            _step++;
        }
    }

    private static int Delete(SqliteConnection connection, string sql, long cut)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$cut", cut);
        return command.ExecuteNonQuery();
    }
}
