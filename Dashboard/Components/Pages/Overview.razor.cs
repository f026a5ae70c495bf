using Dashboard.Components.Display;
using Dashboard.Domain;

namespace Dashboard.Components.Pages;

/// <summary>Backends' health, graph stats and the runs in progress.</summary>
public sealed partial class Overview
{
    private static readonly string[] Tiers = ["HOT", "WARM", "COLD"];

    private readonly HealthChanges _health = new();

    // Text deltas change nothing on this page: they never wake it; nor do health publications that only moved counters.
    protected override bool Accepts(DashboardEvent e) =>
        e is GraphStatsObserved or RunCreated or RunStageReported or RunEnded
        || (e is BackendHealthChanged h && _health.IsNews(h.Health));

    protected override bool IsSummary => true;

    // The counters (events, reconnects, decode errors) are the Backends page's: here they would
    // make every health publication (once a second while events flow) a render of the whole page.
    private static string HealthTooltip(BackendHealth b) =>
        $"{b.Kind}, {StatusDisplay.Text(b.State)}; counters on the Backends page" +
        (b.LastError is null ? "" : $". Last error: {b.LastError}");

    private string? _shown;

    /// <summary>
    /// Renders only when something this page shows changed: a backend's state, kind or last error,
    /// a graph's figures, or a run in progress (its status, stage, progress). A health publication
    /// that only moved a backend's counters renders nothing.
    /// </summary>
    protected override bool LiveUpdateChangedView()
    {
        var shown = new System.Text.StringBuilder();
        foreach (var b in State.Backends)
        {
            shown.Append(b.Name).Append('|').Append(HealthChanges.Shown(b)).Append('\n');
        }

        foreach (var g in State.Graphs)
        {
            shown.Append(g.Backend).Append('|').Append(g.UpdatedAt.UtcTicks).Append('|').Append(g.EdgesUpdatedAt?.UtcTicks).Append('|').Append(g.History.Count).Append('\n');
        }

        foreach (var r in State.Runs)
        {
            if (!r.Status.IsTerminal())
            {
                shown.Append(r.Id).Append('|').Append(r.Status).Append('|').Append(r.Stage).Append('|').Append(r.Progress).Append('\n');
            }
        }

        var key = shown.ToString();
        if (string.Equals(key, _shown, StringComparison.Ordinal))
        {
            return false;
        }

        _shown = key;
        return true;
    }
}
