using Dashboard.Domain;

namespace Dashboard.Components.Display;

/// <summary>
/// The one place that decides what state a stage shows. The upstream's status is what it said
/// while the stage was current; once a later stage has started, or the run has ended, that stage is
/// over: a "running" then means done (or, for the last stage, however the run ended). The raw
/// status stays available for a tooltip; the API keeps it unchanged.
/// </summary>
public static class StageDisplay
{
    public static StageStatus Shown(StageStatus reported, bool isLastStage, RunStatus run)
    {
        if (reported != StageStatus.Running)
        {
            return reported;
        }

        if (!isLastStage)
        {
            return StageStatus.Completed;
        }

        return run switch
        {
            RunStatus.Completed => StageStatus.Completed,
            RunStatus.Failed => StageStatus.Failed,
            RunStatus.Cancelled or RunStatus.Interrupted => StageStatus.Cancelled,
            _ => StageStatus.Running,
        };
    }

    /// <summary>The shown state of each visit of a run's timeline, in order.</summary>
    public static IReadOnlyList<StageStatus> Shown(IReadOnlyList<StageVisit> visits, RunStatus run) =>
        [.. visits.Select((v, i) => Shown(v.Status, i == visits.Count - 1, run))];

    /// <summary>Words for the shown state.</summary>
    public static string Text(StageStatus shown) => StatusDisplay.Text(shown);

    /// <summary>The tooltip: what the upstream last reported, when it differs from what is shown.</summary>
    public static string? Tooltip(StageStatus reported, StageStatus shown) =>
        reported == shown ? null : $"Upstream last reported \"{StatusDisplay.Text(reported)}\" for this stage";
}
