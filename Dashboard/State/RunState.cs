using System.Text;
using Dashboard.Domain;

namespace Dashboard.State;

/// <summary>One run's projection; mutated and read under <see cref="DashboardState"/>'s lock.</summary>
internal sealed class RunState
{
    private readonly RunCreated _created;
    private readonly Queue<TimelineEntry> _timeline = new();
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

    public RunState(RunCreated created, long sequence, int maxTextChars)
    {
        _created = created;
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
                    merged[key] = value;
                }

                _metadata = merged;
                return true;
            case RunUpstreamIdAssigned a:
                _upstreamId = a.UpstreamId;
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
                AddTimeline(new TimelineEntry(s.Stage, s.Status, s.Message, Clamp(s.Progress), s.At));
                _stage = s.Stage;
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
            case RunEnded end when end.Status.IsTerminal():
                Status = end.Status;
                _endedAt = end.At;
                _error = end.Error;
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
        if (_timeline.Count >= DashboardState.MaxTimelineEntries)
        {
            _timeline.Dequeue();
            _timelineTruncated = true;
        }

        _timeline.Enqueue(entry);
    }

    private bool UpdateToolCall(RunToolCallUpdated e)
    {
        var call = _toolCalls.Find(c => c.Id == e.ToolCallId);
        if (call is null)
        {
            if (_toolCalls.Count >= DashboardState.MaxToolCallsPerRun)
            {
                return false;
            }

            call = new ToolCallState(e.ToolCallId, _maxTextChars);
            _toolCalls.Add(call);
        }

        Started();
        call.Update(e);
        return true;
    }

    private static double? Clamp(double? progress) =>
        progress is double p && !double.IsNaN(p) ? Math.Clamp(p, 0, 1) : null;

    private sealed class ToolCallState(string id, int maxArgumentChars)
    {
        private readonly StringBuilder _arguments = new();
        private string? _name;
        private string? _status;
        private string? _detail;

        public string Id => id;

        public void Update(RunToolCallUpdated e)
        {
            _name = e.Name ?? _name;
            _status = e.Status ?? _status;
            _detail = e.Detail ?? _detail;
            if (e.ArgumentsDelta is { } delta)
            {
                _arguments.Append(delta, 0, Math.Min(delta.Length, Math.Max(0, maxArgumentChars - _arguments.Length)));
            }
        }

        public ToolCallView View() => new(id, _name, _arguments.ToString(), _status, _detail);
    }
}
