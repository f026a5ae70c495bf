using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.State;

namespace Dashboard.Storage;

/// <summary>
/// What every store does, whatever its engine, with a run that was in flight when the dashboard
/// last stopped: rebuild it from its stored events through the live projection, then hand it over
/// to be followed again or end it interrupted at the last thing seen of it.
/// </summary>
internal static class InFlightSettlement
{
    /// <summary>The run as its events build it; null when they do not (no creation event kept).</summary>
    public static RunView? Project(string runId, IReadOnlyList<SequencedEvent> events)
    {
        var projection = new DashboardState(Microsoft.Extensions.Options.Options.Create(new DashboardOptions()));
        foreach (var item in events)
        {
            projection.Apply(item.Event, item.Sequence);
        }

        return projection.GetLiveRun(runId);
    }

    /// <param name="replayed">The run rebuilt by <see cref="Project"/>, if it could be.</param>
    /// <param name="stored">The run as its row last stored it (used when it could not be rebuilt).</param>
    /// <param name="lastEventAt">When the newest of its stored events arrived.</param>
    /// <param name="resume">Which rebuilt runs are handed over rather than interrupted.</param>
    /// <returns>Exactly one of the two: the run handed over, or the run ended interrupted.</returns>
    public static (InFlightRun? HandedOver, RunView? Interrupted) Settle(
        RunView? replayed,
        IReadOnlyList<SequencedEvent> events,
        Func<RunView> stored,
        DateTimeOffset? lastEventAt,
        Func<RunView, bool>? resume)
    {
        var rebuilt = replayed ?? stored();
        var lastSeen = rebuilt.Timeline.Count > 0 ? rebuilt.Timeline[^1].At : rebuilt.StartedAt;
        var ended = lastEventAt is { } at && at > lastSeen ? at : lastSeen;
        if (replayed is not null && resume?.Invoke(replayed) == true)
        {
            return (new InFlightRun(replayed, events, ended), null);
        }

        return (null, rebuilt with { Status = RunStatus.Interrupted, EndedAt = ended, Error = SqliteHistoryStore.InterruptedMessage });
    }

    /// <summary>The <c>run.ended</c> event of a run ended interrupted here: each store appends it to the event log under the next sequence.</summary>
    public static RunEnded Ended(RunView interrupted) => new()
    {
        Backend = interrupted.Backend,
        At = interrupted.EndedAt ?? interrupted.StartedAt,
        RunId = interrupted.Id,
        Status = interrupted.Status,
        Error = interrupted.Error,
    };
}
