using System.Collections.Concurrent;
using System.Text.Json;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.State;

namespace Dashboard.Tests.Runs;

/// <summary>
/// Records what the run manager and clients publish, and answers the few run questions the
/// manager asks (parent lookup, terminal status). Not a hub: no subscribers, no text, no health.
/// </summary>
internal sealed class RecordingSink : IDomainEventSink, IDashboardState
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly List<DashboardEvent> _events = [];
    private readonly Dictionary<string, RunView> _runs = [];
    private readonly ConcurrentDictionary<string, TaskCompletionSource<RunEnded>> _ends = new();

    public IReadOnlyList<DashboardEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public IReadOnlyList<DashboardEvent> EventsOf(string runId) =>
        [.. Events.Where(e => e switch
        {
            RunCreated c => c.RunId == runId,
            RunStageReported s => s.RunId == runId,
            RunUpstreamIdAssigned u => u.RunId == runId,
            RunEnded x => x.RunId == runId,
            _ => false,
        })];

    public long Publish(DashboardEvent e)
    {
        lock (_gate)
        {
            _events.Add(e);
            switch (e)
            {
                case RunCreated c:
                    _runs[c.RunId] = NewRun(c.RunId, c.Backend, c.ParentRunId, c.At);
                    break;
                case RunUpstreamIdAssigned u when _runs.TryGetValue(u.RunId, out var run):
                    _runs[u.RunId] = run with { UpstreamId = u.UpstreamId };
                    break;
                case RunEnded x when _runs.TryGetValue(x.RunId, out var run):
                    _runs[x.RunId] = run with { Status = x.Status, Error = x.Error, EndedAt = x.At };
                    break;
            }

            if (e is RunEnded ended)
            {
                EndOf(ended.RunId).TrySetResult(ended);
            }

            return _events.Count;
        }
    }

    public Task<RunEnded> WaitForEndAsync(string runId) => EndOf(runId).Task.WaitAsync(Patience);

    /// <summary>A finished run, as if it had run before (parent of an iteration).</summary>
    public void AddRun(string runId, string backend, string? upstreamId)
    {
        lock (_gate)
        {
            _runs[runId] = NewRun(runId, backend, null, DateTimeOffset.UnixEpoch) with { UpstreamId = upstreamId, Status = RunStatus.Completed };
        }
    }

    public IReadOnlyList<GraphView> Graphs => [];

    public GraphView? GetGraph(string backend) => null;

    public IReadOnlyList<RunView> Runs
    {
        get
        {
            lock (_gate)
            {
                return [.. _runs.Values];
            }
        }
    }

    public RunView? GetRun(string runId)
    {
        lock (_gate)
        {
            return _runs.GetValueOrDefault(runId);
        }
    }

    public IReadOnlyList<BackendHealth> Backends => [];

    public BackendHealth? GetBackend(string name) => null;

    private TaskCompletionSource<RunEnded> EndOf(string runId) =>
        _ends.GetOrAdd(runId, _ => new TaskCompletionSource<RunEnded>(TaskCreationOptions.RunContinuationsAsynchronously));

    private static RunView NewRun(string id, string backend, string? parent, DateTimeOffset at) => new(
        id, backend, "", parent, new Dictionary<string, JsonElement>(), null, RunStatus.Pending, null, null, at, null,
        [], new TextBuffer(16), new TextBuffer(16), null, [], new Dictionary<string, string>(), null, 0);
}
