using Dashboard.Domain;
using Dashboard.State;

namespace Dashboard.Components.Display;

/// <summary>
/// One stay in a stage: consecutive timeline entries with the same stage name. Upstreams repeat a
/// stage for every update (streamed output, running → completed), so a visit is what a reader
/// means by "a step"; its entries stay available for the detail.
/// </summary>
public sealed record StageVisit(string Stage, DateTimeOffset StartedAt, IReadOnlyList<TimelineEntry> Entries)
{
    /// <summary>When the next stage started; null for the last visit.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    public StageStatus Status => Entries[^1].Status;

    /// <summary>The newest message of the visit (an update without one does not blank it).</summary>
    public string? Message => Entries.LastOrDefault(e => e.Message is not null)?.Message;

    public double? Progress => Entries.LastOrDefault(e => e.Progress is not null)?.Progress;

    public static IReadOnlyList<StageVisit> Group(IReadOnlyList<TimelineEntry> timeline)
    {
        var visits = new List<StageVisit>();
        var start = 0;
        for (var i = 1; i <= timeline.Count; i++)
        {
            if (i < timeline.Count && string.Equals(timeline[i].Stage, timeline[start].Stage, StringComparison.Ordinal))
            {
                continue;
            }

            visits.Add(new StageVisit(timeline[start].Stage, timeline[start].At, [.. timeline.Skip(start).Take(i - start)])
            {
                EndedAt = i < timeline.Count ? timeline[i].At : null,
            });
            start = i;
        }

        return visits;
    }
}
