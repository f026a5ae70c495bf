using Dashboard.Domain;

namespace Dashboard.Backends;

/// <summary>A run in flight: its ids, what was asked, and helpers that publish its events in order.</summary>
public sealed class RunContext(
    string runId,
    RunRequest request,
    string? parentUpstreamId,
    IDomainEventSink sink,
    TimeProvider clock,
    string? upstreamId = null,
    bool resumed = false)
{
    public string RunId { get; } = runId;

    public string Backend => Request.Backend;

    public RunRequest Request { get; } = request;

    /// <summary>Upstream id of the parent run (codegen parent_generation_id) when iterating.</summary>
    public string? ParentUpstreamId { get; } = parentUpstreamId;

    public IDomainEventSink Sink { get; } = sink;

    public TimeProvider Clock { get; } = clock;

    /// <summary>
    /// The upstream's id once known: set by <see cref="AssignUpstreamId"/>, or given at creation
    /// when an earlier run is followed again (<see cref="IRunReattach"/>).
    /// </summary>
    public string? UpstreamId { get; private set; } = upstreamId;

    /// <summary>
    /// True when the run was started before a restart and is followed again (<see cref="IRunReattach"/>):
    /// if its outcome cannot be learned it ends interrupted, not failed.
    /// </summary>
    public bool Resumed { get; } = resumed;

    public DecodeContext CreateDecodeContext() => new(Backend, RunId, Sink, Clock);

    public void AssignUpstreamId(string upstreamId)
    {
        UpstreamId = upstreamId;
        Sink.Publish(new RunUpstreamIdAssigned { Backend = Backend, At = Clock.GetUtcNow(), RunId = RunId, UpstreamId = upstreamId });
    }

    public void Stage(string stage, StageStatus status, string? message = null, double? progress = null) =>
        Sink.Publish(new RunStageReported
        {
            Backend = Backend, At = Clock.GetUtcNow(), RunId = RunId,
            Stage = stage, Status = status, Message = message, Progress = progress,
        });

    public void End(RunStatus status, string? error = null) =>
        Sink.Publish(new RunEnded { Backend = Backend, At = Clock.GetUtcNow(), RunId = RunId, Status = status, Error = error });
}
