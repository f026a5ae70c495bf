using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Backends.Common;

/// <summary>How a run stream ended in the upstream's own words (terminal status and its message).</summary>
public sealed record RunOutcome(RunStatus Status, string? Error = null)
{
    public static readonly RunOutcome Completed = new(RunStatus.Completed);

    public static RunOutcome Failed(string error) => new(RunStatus.Failed, error);
}

/// <summary>
/// A run decoder that reports the terminal outcome it saw instead of ending the run itself: the
/// client ends the run once, after the stream is over, because some kinds (codegen) decide the
/// final status from more than the stream (its status fallback).
/// </summary>
public interface IRunStreamDecoder : IStreamDecoder
{
    /// <summary>Set once a terminal event was decoded; null while the run is still going.</summary>
    RunOutcome? Outcome { get; }
}
