using System.Globalization;
using Dashboard.Domain;

namespace Dashboard.Backends.Federation;

/// <summary>
/// Turns another dashboard's live events into this dashboard's domain events: its backend
/// <c>x</c> becomes <c>&lt;link&gt;/x</c>, each of its runs one run here (an id of our own, the
/// other's id kept as the run's upstream id), and a backend that came through this dashboard
/// already is refused (a loop). One per link: the link's stream applies events while runs started
/// here are claimed from other threads, so both take one lock.
/// </summary>
public sealed class RemoteEventTranslator(string link, string ownInstance, IDomainEventSink sink, TimeProvider clock)
{
    private const int MaxRuns = 10_000;

    private readonly Dictionary<string, string> _runs = new(StringComparer.Ordinal);
    private readonly Queue<string> _runOrder = new();
    private readonly Dictionary<(string Run, string Tool), int> _toolArguments = [];
    private readonly Lock _gate = new();

    // Runs that ended lately, still matched by Claim: a short run can end there before its POST's answer is read here.
    private readonly Dictionary<string, string> _ended = new(StringComparer.Ordinal);
    private readonly Queue<string> _endedOrder = new();
    private const int MaxEnded = 1024;

    /// <summary>The other dashboard's store instance, once its first snapshot arrived.</summary>
    public string? RemoteInstance { get; private set; }

    /// <summary>Our id of the other dashboard's run, if it was seen.</summary>
    public string? LocalRunId(string remoteRunId)
    {
        lock (_gate)
        {
            return _runs.GetValueOrDefault(remoteRunId);
        }
    }

    /// <summary>True when the other dashboard's run is followed here or ended here lately.</summary>
    public bool Knows(string remoteRunId)
    {
        lock (_gate)
        {
            return _runs.ContainsKey(remoteRunId) || _ended.ContainsKey(remoteRunId);
        }
    }

    public string LocalBackend(string remote) => $"{link}/{remote}";

    /// <summary>
    /// Publishes what <paramref name="e"/> means here. Returns the other dashboard's ids of runs we
    /// followed that a snapshot no longer lists in flight (they ended while the link was away).
    /// </summary>
    /// <exception cref="FederationLoopException">The other dashboard is this one, or brings this one's backends back.</exception>
    public IReadOnlyList<string> Apply(RemoteEvent e)
    {
        lock (_gate)
        {
            return ApplyLocked(e);
        }
    }

    /// <summary>
    /// A resume by cursor brings no snapshot: the other side's backends (their health, abilities and
    /// option fields here) and graphs come from its <c>GetSnapshot</c> data instead; its runs come in
    /// the stream.
    /// </summary>
    public void ApplyBackends(System.Text.Json.JsonElement snapshotData)
    {
        var snapshot = RemoteJson.Read<RemoteSnapshot>(snapshotData);
        lock (_gate)
        {
            if (string.Equals(snapshot.Instance, ownInstance, StringComparison.Ordinal))
            {
                throw new FederationLoopException($"Link {link} leads back to this dashboard itself (instance {ownInstance}); it is refused.");
            }

            var at = clock.GetUtcNow();
            foreach (var backend in snapshot.Backends ?? [])
            {
                Backend(backend, at);
            }

            foreach (var graph in snapshot.Graph ?? [])
            {
                if (graph.Backend is { } name)
                {
                    sink.Publish(new GraphStatsObserved { Backend = LocalBackend(name), At = at, Stats = Stats(graph) });
                }
            }
        }
    }

    /// <summary>
    /// After a restart of this dashboard: the link resumes from its kept cursor, so the runs it
    /// followed (back in the projections from the store) must be known again, with the tool
    /// arguments they already have (the other side sends whole arguments, this side appends).
    /// </summary>
    public void Adopt(string remoteInstance, IEnumerable<(string RemoteRunId, string LocalRunId, IReadOnlyList<(string ToolId, int ArgumentChars)> Tools)> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        lock (_gate)
        {
            RemoteInstance = remoteInstance;
            foreach (var (remote, local, tools) in runs)
            {
                if (_runs.TryAdd(remote, local))
                {
                    _runOrder.Enqueue(remote);
                }

                foreach (var (tool, chars) in tools)
                {
                    _toolArguments[(local, tool)] = chars;
                }
            }
        }
    }

    /// <summary>
    /// A run this dashboard started on the other one (its POST /api/runs answered
    /// <paramref name="remoteRunId"/>): known here from now on under the returned id. When the
    /// other side's <c>run.created</c> came first, that run is the one: never two.
    /// </summary>
    public string Claim(string remoteRunId, string remoteBackend, RunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            if (_runs.TryGetValue(remoteRunId, out var known) || _ended.TryGetValue(remoteRunId, out known))
            {
                return known;
            }

            var local = Remember(remoteRunId);
            var backend = LocalBackend(remoteBackend);
            var at = clock.GetUtcNow();
            sink.Publish(new RunCreated
            {
                Backend = backend,
                At = at,
                RunId = local,
                Prompt = request.Prompt,
                ParentRunId = request.ParentRunId,
                Options = request.Options ?? RunCreated.EmptyOptions,
            });
            sink.Publish(new RunUpstreamIdAssigned { Backend = backend, At = at, RunId = local, UpstreamId = remoteRunId });
            return local;
        }
    }

    private IReadOnlyList<string> ApplyLocked(RemoteEvent e)
    {
        var at = DateTimeOffset.TryParse(e.At, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed) ? parsed : clock.GetUtcNow();
        switch (e.Type)
        {
            case "snapshot":
                return Snapshot(RemoteJson.Read<RemoteSnapshot>(e.Data), at);
            case "backend.state":
                Backend(RemoteJson.Read<RemoteBackend>(e.Data), at);
                break;
            case "graph.stats" when e.Backend is { } backend:
                var g = RemoteJson.Read<RemoteGraph>(e.Data);
                sink.Publish(new GraphStatsObserved { Backend = LocalBackend(backend), At = at, Stats = Stats(g) });
                break;
            case "run.created":
                Created(RemoteJson.Read<RemoteRun>(e.Data), at);
                break;
            default:
                if (e.Backend is { } runBackend && e.RunId is { } remoteRun && _runs.TryGetValue(remoteRun, out var local))
                {
                    RunEvent(e, LocalBackend(runBackend), local, at);
                }

                break;
        }

        return [];
    }

    private List<string> Snapshot(RemoteSnapshot snapshot, DateTimeOffset at)
    {
        if (string.Equals(snapshot.Instance, ownInstance, StringComparison.Ordinal))
        {
            throw new FederationLoopException($"Link {link} leads back to this dashboard itself (instance {ownInstance}); it is refused.");
        }

        RemoteInstance = snapshot.Instance;
        foreach (var backend in snapshot.Backends ?? [])
        {
            Backend(backend, at);
        }

        foreach (var graph in snapshot.Graph ?? [])
        {
            if (graph.Backend is { } name)
            {
                sink.Publish(new GraphStatsObserved { Backend = LocalBackend(name), At = at, Stats = Stats(graph) });
            }
        }

        var inFlight = new HashSet<string>(StringComparer.Ordinal);
        foreach (var run in snapshot.Runs ?? [])
        {
            inFlight.Add(run.Id);
            Created(run, at);
        }

        return [.. _runs.Keys.Where(id => !inFlight.Contains(id))];
    }

    /// <summary>
    /// The link was away: a run it followed ended there meanwhile, as the other dashboard's REST API
    /// says. What the stream would have brought is added: the stages after <paramref name="stagesAfter"/>
    /// (the last one known here), the tools' remaining arguments, usage, metadata, the whole texts and the end.
    /// </summary>
    internal void Settle(RemoteRunDetail run, DateTimeOffset? stagesAfter)
    {
        ArgumentNullException.ThrowIfNull(run);
        lock (_gate)
        {
            if (!_runs.TryGetValue(run.Id, out var local))
            {
                return;
            }

            Finish(run, local, LocalBackend(run.Backend), stagesAfter);
            Forget(run.Id, local);
        }
    }

    /// <summary>
    /// The link was away and the other dashboard no longer knows a run it followed (its store
    /// changed): the run ends here, interrupted, saying so.
    /// </summary>
    public void SettleLost(string remoteRunId, string localBackend, string error, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (!_runs.TryGetValue(remoteRunId, out var local))
            {
                return;
            }

            sink.Publish(new RunEnded { Backend = localBackend, At = at, RunId = local, Status = RunStatus.Interrupted, Error = error });
            Forget(remoteRunId, local);
        }
    }

    /// <summary>
    /// A run that started and ended on the other dashboard while the link was away (back-filled
    /// from its <c>GET /api/runs?since=</c>): recorded here whole, with the other side's times.
    /// Returns its id here, or null when it is known already (<paramref name="knownHere"/>: the other
    /// side's ids of the runs this dashboard has from this link), is still in flight, or ended here already: never twice.
    /// </summary>
    internal string? Record(RemoteRunDetail run, IReadOnlySet<string> knownHere)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(knownHere);
        lock (_gate)
        {
            if (!run.Status.IsTerminal() || _runs.ContainsKey(run.Id) || _ended.ContainsKey(run.Id) || knownHere.Contains(run.Id))
            {
                return null;
            }

            var local = Guid.NewGuid().ToString("N");
            var backend = LocalBackend(run.Backend);
            sink.Publish(new RunCreated
            {
                Backend = backend,
                At = run.StartedAt,
                RunId = local,
                Prompt = run.Prompt ?? "",
                ParentRunId = run.ParentRunId is { } parent ? _runs.GetValueOrDefault(parent) ?? _ended.GetValueOrDefault(parent) : null,
                Options = run.Options ?? new Dictionary<string, System.Text.Json.JsonElement>(),
            });
            sink.Publish(new RunUpstreamIdAssigned { Backend = backend, At = run.StartedAt, RunId = local, UpstreamId = run.Id });
            Finish(run, local, backend, stagesAfter: null);
            RememberEnded(run.Id, local);
            return local;
        }
    }

    private void Finish(RemoteRunDetail run, string local, string backend, DateTimeOffset? stagesAfter)
    {
        var endedAt = run.EndedAt ?? clock.GetUtcNow();
        foreach (var stage in (run.Timeline ?? []).Where(t => stagesAfter is not { } after || t.At > after))
        {
            sink.Publish(new RunStageReported { Backend = backend, At = stage.At, RunId = local, Stage = stage.Stage, Status = stage.Status, Message = stage.Message, Progress = stage.Progress });
        }

        foreach (var tool in run.ToolCalls ?? [])
        {
            var arguments = tool.Arguments ?? "";
            var known = _toolArguments.GetValueOrDefault((local, tool.Id));
            sink.Publish(new RunToolCallUpdated
            {
                Backend = backend, At = endedAt, RunId = local, ToolCallId = tool.Id, Name = tool.Name, Status = tool.Status, Detail = tool.Detail,
                ArgumentsDelta = arguments.Length > known ? arguments[known..] : null,
            });
        }

        if (run.Usage is { } usage)
        {
            sink.Publish(new RunUsageReported { Backend = backend, At = endedAt, RunId = local, Usage = new Usage(usage.InputTokens, usage.OutputTokens, usage.TotalTokens) });
        }

        var metadata = run.Metadata is { } kept ? new Dictionary<string, string>(kept, StringComparer.Ordinal) : new Dictionary<string, string>(StringComparer.Ordinal);
        if (run.UpstreamId is { } upstream)
        {
            // As live: our upstream id is the other dashboard's run id; its own upstream id is metadata.
            metadata["upstreamId"] = upstream;
        }

        if (metadata.Count > 0)
        {
            sink.Publish(new RunMetadataReported { Backend = backend, At = endedAt, RunId = local, Metadata = metadata });
        }

        sink.Publish(new RunTextReceived { Backend = backend, At = endedAt, RunId = local, Text = run.Text ?? "", Mode = TextMode.Replace });
        if (run.Thinking is { Length: > 0 } thinking)
        {
            sink.Publish(new RunTextReceived { Backend = backend, At = endedAt, RunId = local, Channel = TextChannel.Thinking, Text = thinking, Mode = TextMode.Replace });
        }

        sink.Publish(new RunEnded { Backend = backend, At = endedAt, RunId = local, Status = run.Status, Error = run.Error });
    }

    private void Backend(RemoteBackend backend, DateTimeOffset at)
    {
        var via = (backend.Via ?? []).Append(RemoteInstance ?? "").Where(v => v.Length > 0).ToArray();
        if (via.Contains(ownInstance, StringComparer.Ordinal))
        {
            throw new FederationLoopException(
                $"Link {link} would bring this dashboard's own backends back: {backend.Name} came through this dashboard (via {string.Join(" → ", via)}). A loop of dashboards is refused; link in one direction only.");
        }

        var name = LocalBackend(backend.Name);
        sink.Publish(new BackendHealthChanged
        {
            Backend = name,
            At = at,
            Health = new BackendHealth(name, backend.Kind ?? "unknown", backend.State, backend.LastEventAt, backend.EventsReceived, backend.DecodeErrors, backend.Reconnects, backend.OversizedDropped, backend.LastError, backend.IsDemo)
            {
                Via = via,
                Capabilities = backend.Capabilities ?? [],
                RunOptions = backend.Options ?? [],
            },
        });
    }

    private void Created(RemoteRun run, DateTimeOffset at)
    {
        if (_runs.ContainsKey(run.Id) || _ended.ContainsKey(run.Id))
        {
            // Seen before (a snapshot after a reconnect), or back-filled as ended: never twice.
            return;
        }

        var local = Remember(run.Id);
        var backend = LocalBackend(run.Backend);
        sink.Publish(new RunCreated
        {
            Backend = backend,
            At = run.StartedAt ?? at,
            RunId = local,
            Prompt = run.Prompt ?? "",
            ParentRunId = run.ParentRunId is { } parent ? _runs.GetValueOrDefault(parent) : null,
            Options = run.Options ?? new Dictionary<string, System.Text.Json.JsonElement>(),
        });
        sink.Publish(new RunUpstreamIdAssigned { Backend = backend, At = at, RunId = local, UpstreamId = run.Id });
    }

    private string Remember(string remoteRunId)
    {
        var local = Guid.NewGuid().ToString("N");
        _runs[remoteRunId] = local;
        _runOrder.Enqueue(remoteRunId);
        while (_runOrder.Count > MaxRuns)
        {
            _runs.Remove(_runOrder.Dequeue());
        }

        return local;
    }

    private void RunEvent(RemoteEvent e, string backend, string run, DateTimeOffset at)
    {
        switch (e.Type)
        {
            case "run.stage":
                var stage = RemoteJson.Read<RemoteStage>(e.Data);
                sink.Publish(new RunStageReported { Backend = backend, At = at, RunId = run, Stage = stage.Stage, Status = stage.Status, Message = stage.Message, Progress = stage.Progress });
                break;
            case "run.text":
                var text = RemoteJson.Read<RemoteText>(e.Data);
                var channel = text.Channel == "thinking" ? TextChannel.Thinking : TextChannel.Output;
                sink.Publish(text.Snapshot is { } whole
                    ? new RunTextReceived { Backend = backend, At = at, RunId = run, Channel = channel, Text = whole, Mode = TextMode.Replace }
                    : new RunTextReceived { Backend = backend, At = at, RunId = run, Channel = channel, Text = text.Delta ?? "" });
                break;
            case "run.tool":
                var tool = RemoteJson.Read<RemoteTool>(e.Data);
                // The other side sends the whole arguments so far; the hub here takes pieces.
                var arguments = tool.Arguments ?? "";
                var known = _toolArguments.GetValueOrDefault((run, tool.Id));
                _toolArguments[(run, tool.Id)] = arguments.Length;
                sink.Publish(new RunToolCallUpdated
                {
                    Backend = backend, At = at, RunId = run, ToolCallId = tool.Id, Name = tool.Name, Status = tool.Status, Detail = tool.Detail,
                    ArgumentsDelta = arguments.Length > known ? arguments[known..] : null,
                });
                break;
            case "run.usage":
                var usage = RemoteJson.Read<RemoteUsage>(e.Data);
                sink.Publish(new RunUsageReported { Backend = backend, At = at, RunId = run, Usage = new Usage(usage.InputTokens, usage.OutputTokens, usage.TotalTokens) });
                break;
            case "run.upstreamId":
                // Our upstream id of this run is the other dashboard's run id; its own upstream id is kept as metadata.
                var upstream = e.Data.GetProperty("upstreamId").GetString() ?? "";
                sink.Publish(new RunMetadataReported { Backend = backend, At = at, RunId = run, Metadata = new Dictionary<string, string> { ["upstreamId"] = upstream } });
                break;
            case "run.metadata":
                var key = e.Data.GetProperty("key").GetString() ?? "";
                var value = e.Data.GetProperty("value").GetString() ?? "";
                sink.Publish(new RunMetadataReported { Backend = backend, At = at, RunId = run, Metadata = new Dictionary<string, string> { [key] = value } });
                break;
            case "run.ended":
                var ended = RemoteJson.Read<RemoteEnded>(e.Data);
                sink.Publish(new RunEnded { Backend = backend, At = at, RunId = run, Status = ended.Status, Error = ended.Error });
                Forget(e.RunId!, run);
                break;
        }
    }

    // An ended run gets no more events (the projection ignores them too): its tool state can go.
    private void Forget(string remoteRunId, string local)
    {
        foreach (var key in _toolArguments.Keys.Where(k => k.Run == local).ToArray())
        {
            _toolArguments.Remove(key);
        }

        _runs.Remove(remoteRunId);
        RememberEnded(remoteRunId, local);
    }

    private void RememberEnded(string remoteRunId, string local)
    {
        if (_ended.TryAdd(remoteRunId, local))
        {
            _endedOrder.Enqueue(remoteRunId);
            while (_endedOrder.Count > MaxEnded)
            {
                _ended.Remove(_endedOrder.Dequeue());
            }
        }
    }

    private static GraphStats Stats(RemoteGraph g) =>
        new(g.Nodes, g.Edges, g.AvgEntanglement, g.Tiers ?? [], g.Types ?? []);
}

/// <summary>A link that would make a loop of dashboards; the link stops and says why.</summary>
public sealed class FederationLoopException(string message) : Exception(message);
