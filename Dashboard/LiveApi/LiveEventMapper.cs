using Dashboard.Api;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Security;
using Dashboard.State;

namespace Dashboard.LiveApi;

/// <summary>
/// Turns one subscriber's hub events into live events. It is per subscriber because two
/// contract fields need memory of earlier events: a tool call's whole arguments so far (the hub
/// carries pieces), and which runs ended (the projection drops later run events, so does this).
/// Long texts are split so that no message outgrows an SSE reader's event limit.
/// </summary>
/// <param name="catalog">This dashboard's backends: a <c>backend.state</c> item carries their abilities and option fields, as GET /api/backends does.</param>
/// <param name="sharedItems">The items of recent events as mapped for another subscriber (null: map alone).</param>
public sealed class LiveEventMapper(SecretRedactor redactor, Backends.BackendCatalog catalog, SharedLiveItems? sharedItems = null)
{
    /// <summary>Characters of text per message; a JSON-escaped UTF-8 chunk stays well under 1 MB.</summary>
    public const int MaxChunkChars = 128 * 1024;

    private const int MaxTrackedTools = 4096;
    private const int MaxEndedRuns = 4096;

    private readonly Dictionary<(string Run, string Tool), ToolCall> _tools = [];
    private readonly HashSet<string> _ended = new(StringComparer.Ordinal);
    private readonly Queue<string> _endedOrder = new();

    /// <summary>Teaches the mapper a tool call's state as of the subscriber's starting point.</summary>
    public void Seed(string runId, ToolCallView call)
    {
        if (_tools.Count < MaxTrackedTools)
        {
            var arguments = call.Arguments.Length > MaxChunkChars ? call.Arguments[..MaxChunkChars] : call.Arguments;
            _tools[(runId, call.Id)] = new ToolCall(call.Name, call.Status, call.Detail, new System.Text.StringBuilder(arguments))
            {
                Truncated = arguments.Length < call.Arguments.Length,
            };
        }
    }

    /// <summary>Folds an event that happened before the subscriber's starting point without emitting it.</summary>
    public void Observe(DashboardEvent e)
    {
        switch (e)
        {
            case RunToolCallUpdated tool:
                Track(tool);
                break;
            case RunEnded end:
                Ended(end.RunId);
                break;
        }
    }

    public IEnumerable<LiveItem> Map(SequencedEvent item)
    {
        var e = item.Event;
        if (e is RunEvent run && e is not RunUsageReported and not RunMetadataReported and not RunUpstreamIdAssigned && _ended.Contains(run.RunId))
        {
            // What a run showed at its end is final (the projection ignores these too).
            return [];
        }

        switch (e)
        {
            case RunToolCallUpdated tool:
                return One(item, LiveEventTypes.RunTool, Track(tool));
            case RunEnded end when end.Status.IsTerminal():
                Ended(end.RunId);
                break;
        }

        return sharedItems is null ? MapSame(item) : sharedItems.GetOrAdd(item, this);
    }

    /// <summary>What every subscriber gets for this event (all but tool calls, whose items carry what this subscriber saw before).</summary>
    internal LiveItem[] MapSame(SequencedEvent item)
    {
        var e = item.Event;
        return e switch
        {
            BackendHealthChanged h => One(item, LiveEventTypes.BackendState, BackendsApi.Item(catalog, h.Health, redactor)),
            GraphStatsObserved g => One(item, LiveEventTypes.GraphStats,
                new GraphStatsData(g.Stats.Nodes, g.Stats.Edges, g.Stats.AvgEntanglement, g.Stats.Tiers, g.Stats.Types, g.At)),
            RunCreated c => One(item, LiveEventTypes.RunCreated, Summary(c)),
            RunStageReported s => One(item, LiveEventTypes.RunStage,
                new RunStageData(s.Stage, s.Status, s.Message is null ? null : redactor.Redact(s.Message), Clamp(s.Progress), s.At)),
            RunTextReceived t => [.. Text(item.Sequence, t.Backend, t.RunId, t.At, t.Channel, t.Text, t.Mode == TextMode.Replace)],
            RunUsageReported u => One(item, LiveEventTypes.RunUsage, new UsageDto(u.Usage.InputTokens, u.Usage.OutputTokens, u.Usage.TotalTokens)),
            RunUpstreamIdAssigned a => One(item, LiveEventTypes.RunUpstreamId, new RunUpstreamIdData(a.UpstreamId)),
            RunMetadataReported m => [.. Metadata(item, m)],
            RunEnded end when end.Status.IsTerminal() =>
                One(item, LiveEventTypes.RunEnded, new RunEndedData(end.Status, end.Error is null ? null : redactor.Redact(end.Error), end.At)),
            _ => [],
        };
    }

    /// <summary>
    /// A channel's whole text as a <c>snapshot</c> item, in parts when long: the first part replaces
    /// the text, the rest append, and only the last ends the group.
    /// </summary>
    public static IEnumerable<LiveItem> Text(long sequence, string backend, string runId, DateTimeOffset at, TextChannel channel, string text, bool replace)
    {
        var name = channel == TextChannel.Thinking ? "thinking" : "output";
        var stamp = LiveJson.Timestamp(at);
        var start = 0;
        var first = true;
        do
        {
            var length = Math.Min(MaxChunkChars, text.Length - start);
            if (start + length < text.Length && char.IsHighSurrogate(text[start + length - 1]))
            {
                length--; // never split a surrogate pair between two messages
            }

            var part = text.Substring(start, length);
            object data = first && replace ? new RunTextSnapshotData(name, part) : new RunTextDeltaData(name, part);
            start += length;
            first = false;
            yield return new LiveItem(new LiveEvent(sequence, LiveEventTypes.RunText, stamp, backend, runId, LiveJson.ToTree(data)), start >= text.Length);
        }
        while (start < text.Length);
    }

    private static LiveItem[] One<T>(SequencedEvent item, string type, T data)
    {
        var runId = (item.Event as RunEvent)?.RunId;
        return [new LiveItem(new LiveEvent(item.Sequence, type, LiveJson.Timestamp(item.Event.At), item.Event.Backend, runId, LiveJson.ToTree(data)), true)];
    }

    private static IEnumerable<LiveItem> Metadata(SequencedEvent item, RunMetadataReported m)
    {
        var pairs = m.Metadata.ToArray();
        var stamp = LiveJson.Timestamp(m.At);
        for (var i = 0; i < pairs.Length; i++)
        {
            yield return new LiveItem(
                new LiveEvent(item.Sequence, LiveEventTypes.RunMetadata, stamp, m.Backend, m.RunId, LiveJson.ToTree(new RunMetadataData(pairs[i].Key, pairs[i].Value))),
                i == pairs.Length - 1);
        }
    }

    private void Ended(string runId)
    {
        foreach (var key in _tools.Keys.Where(k => k.Run == runId).ToArray())
        {
            _tools.Remove(key);
        }

        if (_ended.Add(runId))
        {
            _endedOrder.Enqueue(runId);
            if (_endedOrder.Count > MaxEndedRuns)
            {
                _ended.Remove(_endedOrder.Dequeue());
            }
        }
    }

    private RunToolData Track(RunToolCallUpdated e)
    {
        if (!_tools.TryGetValue((e.RunId, e.ToolCallId), out var call))
        {
            call = new ToolCall(null, null, null, new System.Text.StringBuilder());
            if (_tools.Count < MaxTrackedTools)
            {
                _tools[(e.RunId, e.ToolCallId)] = call;
            }
        }

        call.Name = e.Name ?? call.Name;
        call.Status = e.Status ?? call.Status;
        call.Detail = e.Detail ?? call.Detail;
        if (e.ArgumentsDelta is { } delta)
        {
            call.Arguments.Append(delta, 0, Math.Min(delta.Length, Math.Max(0, MaxChunkChars - call.Arguments.Length)));
            call.Truncated |= call.Arguments.Length >= MaxChunkChars && delta.Length > 0;
        }

        return new RunToolData(e.ToolCallId, call.Name, call.Status, call.Detail, call.Arguments.ToString(), call.Truncated);
    }

    /// <summary>The run as GET /api/runs shows it at the moment it was created.</summary>
    private static RunDto Summary(RunCreated c) => new(
        c.RunId, c.Backend, c.Prompt, RunStatus.Pending, null, null, c.At, null, [], "", null, null,
        c.ParentRunId, null, c.Options, "", [], new Dictionary<string, string>(), false);

    private static double? Clamp(double? progress) =>
        progress is double p && !double.IsNaN(p) ? Math.Clamp(p, 0, 1) : null;

    private sealed class ToolCall(string? name, string? status, string? detail, System.Text.StringBuilder arguments)
    {
        public string? Name { get; set; } = name;

        public string? Status { get; set; } = status;

        public string? Detail { get; set; } = detail;

        public System.Text.StringBuilder Arguments { get; } = arguments;

        public bool Truncated { get; set; }
    }
}
