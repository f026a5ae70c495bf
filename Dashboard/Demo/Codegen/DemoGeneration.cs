namespace Dashboard.Demo.Codegen;

/// <summary>One stored progress event; <see cref="Final"/> marks the event after which the server closes streams.</summary>
public sealed record GenerationEvent(long Seq, string Json, bool Final);

/// <summary>The generation's latest state, for <c>GET /generations/{id}</c> and a stream's <c>connected</c> event.</summary>
public sealed record GenerationState(
    string Status, string Stage, double Progress, string Message, string? PartialOutput, DateTimeOffset UpdatedAt, bool Final);

/// <summary>
/// One demo generation or iteration. It runs in the background, independent of stream
/// connections; like the real server it keeps only its last 50 events, which a (re)connecting
/// stream replays before following live.
/// </summary>
public sealed class DemoGeneration
{
    public const int KeptEvents = 50;

    private readonly Lock _gate = new();
    private readonly Queue<GenerationEvent> _events = new();
    private readonly CancellationTokenSource _run = new();
    private readonly DemoRuntime _runtime;
    private TaskCompletionSource _changed = NewSignal();
    private GenerationState _state;
    private long _seq;
    private long? _dropAfter;
    private bool _dropClaimed;

    public DemoGeneration(
        DemoRuntime runtime, string prompt, bool isIteration, string? parentId, string mode, DemoOutcome outcome)
    {
        _runtime = runtime;
        Id = Guid.NewGuid().ToString();
        Prompt = prompt;
        IsIteration = isIteration;
        ParentId = parentId;
        Mode = mode;
        Outcome = outcome;
        CreatedAt = runtime.Time.GetUtcNow();
        _state = new GenerationState("pending", "queued", 0.0, "Generation queued", null, CreatedAt, Final: false);
    }

    public string Id { get; }

    public string Prompt { get; }

    public bool IsIteration { get; }

    public string? ParentId { get; }

    public string Mode { get; }

    public DemoOutcome Outcome { get; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>Cancelled by <see cref="TryCancel"/> or when the demo shuts down.</summary>
    public CancellationToken Running => _run.Token;

    public GenerationState Current()
    {
        lock (_gate)
        {
            return _state;
        }
    }

    /// <summary>Records an event; ignored once a final event was recorded (a cancel won the race).</summary>
    public void Append(string status, string stage, double progress, string message, string? partialOutput, bool final)
    {
        TaskCompletionSource? changed;
        lock (_gate)
        {
            changed = AppendLocked(status, stage, progress, message, partialOutput, final);
        }

        changed?.TrySetResult();
    }

    /// <summary>The kept events after <paramref name="afterSeq"/>, and a task that completes when more arrive.</summary>
    public (IReadOnlyList<GenerationEvent> Events, Task Changed) Read(long afterSeq)
    {
        lock (_gate)
        {
            return (_events.Where(e => e.Seq > afterSeq).ToArray(), _changed.Task);
        }
    }

    /// <summary>Marks the latest event as the point after which one stream connection is cut (outcome drop).</summary>
    public void ArmDrop()
    {
        lock (_gate)
        {
            _dropAfter = _seq;
        }
    }

    /// <summary>True once, for the first stream about to send an event past the drop point.</summary>
    public bool TryClaimDrop(long nextSeq)
    {
        lock (_gate)
        {
            if (_dropAfter is not { } after || nextSeq <= after || _dropClaimed)
            {
                return false;
            }

            _dropClaimed = true;
            return true;
        }
    }

    public bool TryCancel()
    {
        TaskCompletionSource? changed;
        lock (_gate)
        {
            changed = AppendLocked("cancelled", "cancelled", _state.Progress, "Generation cancelled by user", _state.PartialOutput, final: true);
        }

        if (changed is null)
        {
            return false;
        }

        _run.Cancel();
        changed.TrySetResult();
        return true;
    }

    /// <summary>Stops the background run without recording anything (the demo is shutting down).</summary>
    public void Stop() => _run.Cancel();

    private TaskCompletionSource? AppendLocked(
        string status, string stage, double progress, string message, string? partialOutput, bool final)
    {
        if (_state.Final)
        {
            return null;
        }

        var timestamp = _runtime.UnixSeconds();
        var json = CodegenJson.ProgressEvent(Id, status, stage, progress, message, Mode, partialOutput, timestamp);
        _events.Enqueue(new GenerationEvent(++_seq, json, final));
        while (_events.Count > KeptEvents)
        {
            _events.Dequeue();
        }

        _state = new GenerationState(status, stage, progress, message, partialOutput, _runtime.Time.GetUtcNow(), final);
        var changed = _changed;
        _changed = NewSignal();
        return changed;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
