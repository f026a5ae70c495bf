using System.Text;
using Dashboard.Configuration;
using Dashboard.Domain;

namespace Dashboard.State;

/// <summary>
/// One run's projection; mutated and read under <see cref="DashboardState"/>'s lock. Every
/// upstream string it keeps is held to its byte budget (<see cref="ByteBudget"/>), and all it keeps
/// besides the streamed text (bounded apart) to the run's total (<see cref="LimitsOptions.RunBytes"/>):
/// the oldest timeline entries make room first; beyond that new tool-call data is dropped. Cuts
/// and drops are counted in the view.
/// </summary>
internal sealed class RunState
{
    private readonly RunCreated _created;
    private readonly LimitsOptions _limits;
    private readonly Queue<TimelineEntry> _timeline = new();
    private readonly Queue<DateTimeOffset> _reconnects = new();
    private long _reconnectCount;
    private readonly List<ToolCallState> _toolCalls = [];
    private readonly int _maxTextChars;
    private readonly TextBuffer _text;
    private readonly TextBuffer _thinking;
    private bool _timelineTruncated;
    private string? _upstreamId;
    private string? _stage;
    private double? _progress;
    private DateTimeOffset? _endedAt;
    private Usage? _usage;
    private IReadOnlyDictionary<string, string> _metadata = new Dictionary<string, string>(StringComparer.Ordinal);
    private string? _error;
    private long _version;
    private RunView? _view;
    private long _bytes;
    private long _valuesCut;
    private long _valuesDropped;

    public RunState(RunCreated created, long sequence, int maxTextChars, LimitsOptions? limits = null)
    {
        _created = created;
        _limits = limits ?? new LimitsOptions();
        _version = sequence;
        _maxTextChars = maxTextChars;
        _text = new TextBuffer(maxTextChars);
        _thinking = new TextBuffer(maxTextChars);
    }

    public string Id => _created.RunId;

    public RunStatus Status { get; private set; } = RunStatus.Pending;


    /// <summary>Applies a run event; false when the event is ignored (late after the end, or invalid).</summary>
    public bool Apply(DashboardEvent e)
    {
        switch (e)
        {
            case RunUsageReported u:
                _usage = _usage is null
                    ? u.Usage
                    : new Usage(u.Usage.InputTokens ?? _usage.InputTokens, u.Usage.OutputTokens ?? _usage.OutputTokens, u.Usage.TotalTokens ?? _usage.TotalTokens);
                return true;
            case RunMetadataReported m:
                var merged = new Dictionary<string, string>(_metadata, StringComparer.Ordinal);
                foreach (var (key, value) in m.Metadata)
                {
                    var k = Cut(key, _limits.NameBytes);
                    var v = Cut(value, _limits.StageMessageBytes);
                    if (!merged.ContainsKey(k) && !Reserve(Size(k) + Size(v)))
                    {
                        continue;
                    }

                    merged[k] = v;
                }

                _metadata = merged;
                return true;
            case RunUpstreamIdAssigned a:
                _upstreamId = Cut(a.UpstreamId, _limits.EventIdBytes);
                return true;
        }

        // Once terminal, what the run showed is final: late progress, text or status is dropped.
        if (Status.IsTerminal())
        {
            return false;
        }

        switch (e)
        {
            case RunStageReported s:
                Started();
                var stage = Cut(s.Stage, _limits.NameBytes);
                AddTimeline(new TimelineEntry(stage, s.Status, CutOptional(s.Message, _limits.StageMessageBytes), Clamp(s.Progress), s.At));
                _stage = stage;
                _progress = Clamp(s.Progress) ?? _progress;
                return true;
            case RunTextReceived t:
                Started();
                var buffer = t.Channel == TextChannel.Thinking ? _thinking : _text;
                if (t.Mode == TextMode.Replace)
                {
                    buffer.Replace(t.Text);
                }
                else
                {
                    buffer.Append(t.Text);
                }

                return true;
            case RunToolCallUpdated c:
                return UpdateToolCall(c);
            case RunStreamReconnected r:
                // A marker on the timeline, never a stage: the run's stage and progress stay as they were.
                if (_reconnects.Count >= DashboardState.MaxReconnectMarkers)
                {
                    _reconnects.Dequeue();
                }

                _reconnects.Enqueue(r.At);
                _reconnectCount++;
                return true;
            case RunEnded end when end.Status.IsTerminal():
                Status = end.Status;
                _endedAt = end.At;
                _error = CutOptional(end.Error, _limits.StageMessageBytes);
                if (end.Status == RunStatus.Completed)
                {
                    _progress = 1;
                }

                return true;
            default:
                return false;
        }
    }

    public void Touch(long sequence)
    {
        _version = sequence;
        _view = null;
    }

    public RunView View() => _view ??= new RunView(
        _created.RunId,
        _created.Backend,
        _created.Prompt,
        _created.ParentRunId,
        _created.Options,
        _upstreamId,
        Status,
        _stage,
        _progress,
        _created.At,
        _endedAt,
        _timeline.ToArray(),
        _text,
        _thinking,
        _usage,
        _toolCalls.Select(c => c.View()).ToArray(),
        _metadata,
        _error,
        _version)
    {
        TimelineTruncated = _timelineTruncated,
        Reconnects = _reconnects.ToArray(),
        ReconnectCount = _reconnectCount,
        ValuesCut = _valuesCut,
        ValuesDropped = _valuesDropped,
    };

    private void Started()
    {
        if (Status == RunStatus.Pending)
        {
            Status = RunStatus.Running;
        }
    }

    private void AddTimeline(TimelineEntry entry)
    {
        var size = Size(entry.Stage) + Size(entry.Message);
        while (_timeline.Count > 0 && (_timeline.Count >= DashboardState.MaxTimelineEntries || _bytes + size > _limits.RunBytes))
        {
            var old = _timeline.Dequeue();
            _bytes -= Size(old.Stage) + Size(old.Message);
            _timelineTruncated = true;
        }

        if (!Reserve(size))
        {
            return;
        }

        _timeline.Enqueue(entry);
    }

    /// <summary>Takes <paramref name="size"/> bytes of the run's total; false (counted) when it does not fit.</summary>
    private bool Reserve(long size)
    {
        if (_bytes + size > _limits.RunBytes)
        {
            _valuesDropped++;
            return false;
        }

        _bytes += size;
        return true;
    }

    private string Cut(string value, int maxBytes) => ByteBudget.Cut(value, maxBytes, ref _valuesCut)!;

    private string? CutOptional(string? value, int maxBytes) => ByteBudget.Cut(value, maxBytes, ref _valuesCut);

    // Memory the strings hold: what the run's total budget bounds.
    private static long Size(string? value) => 2L * (value?.Length ?? 0);

    private bool UpdateToolCall(RunToolCallUpdated e)
    {
        var call = _toolCalls.Find(c => c.Id == e.ToolCallId);
        if (call is null)
        {
            if (_toolCalls.Count >= DashboardState.MaxToolCallsPerRun)
            {
                return false;
            }

            var id = Cut(e.ToolCallId, _limits.EventIdBytes);
            if (!Reserve(Size(id)))
            {
                return false;
            }

            call = new ToolCallState(id, e.ToolCallId);
            _toolCalls.Add(call);
        }

        Started();
        call.Update(e, this);
        return true;
    }

    private static double? Clamp(double? progress) =>
        progress is double p && !double.IsNaN(p) ? Math.Clamp(p, 0, 1) : null;

    /// <param name="id">The id as kept (cut to its budget).</param>
    /// <param name="upstreamId">The id as the upstream sends it, for matching later updates.</param>
    private sealed class ToolCallState(string id, string upstreamId)
    {
        private readonly StringBuilder _arguments = new();
        private int _argumentBytes;
        private bool _argumentsCut;
        private string? _name;
        private string? _status;
        private string? _detail;

        public string Id => upstreamId;

        // Every piece is charged to the run's total as it is kept, so the total holds mid-update too.
        public void Update(RunToolCallUpdated e, RunState run)
        {
            var limits = run._limits;
            _name = Replace(_name, run.CutOptional(e.Name, limits.NameBytes), run);
            _status = Replace(_status, run.CutOptional(e.Status, limits.NameBytes), run);
            _detail = Replace(_detail, run.CutOptional(e.Detail, limits.ToolDetailBytes), run);

            if (e.ArgumentsDelta is { Length: > 0 } delta && !_argumentsCut)
            {
                AppendArguments(delta, run);
            }
        }

        private void AppendArguments(string delta, RunState run)
        {
            var budget = run._limits.ToolArgumentsBytes;
            if (_argumentBytes + ByteBudget.Bytes(delta) > budget)
            {
                // What still fits, then the marker, once; later deltas are ignored.
                var marker = ByteBudget.Marker + ByteBudget.Size(budget);
                delta = ByteBudget.Prefix(delta, budget - _argumentBytes - ByteBudget.Bytes(marker)) + marker;
                _argumentsCut = true;
                run._valuesCut++;
            }

            if (!run.Reserve(2L * delta.Length))
            {
                _argumentsCut = true;
                return;
            }

            _arguments.Append(delta);
            _argumentBytes += ByteBudget.Bytes(delta);
        }

        public ToolCallView View() => new(id, _name, _arguments.ToString(), _status, _detail);

        /// <summary><paramref name="next"/> in place of <paramref name="old"/> when the run's total has room for the difference.</summary>
        private static string? Replace(string? old, string? next, RunState run)
        {
            if (next is null)
            {
                return old;
            }

            var growth = Size(next) - Size(old);
            if (growth <= 0)
            {
                run._bytes += growth;
                return next;
            }

            return run.Reserve(growth) ? next : old;
        }
    }
}
