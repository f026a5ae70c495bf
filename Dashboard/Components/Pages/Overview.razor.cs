using Dashboard.Domain;

namespace Dashboard.Components.Pages;

/// <summary>Backends' health, graph stats and the runs in progress.</summary>
public sealed partial class Overview
{
    private static readonly string[] Tiers = ["HOT", "WARM", "COLD"];

    // Text deltas change nothing on this page: they never wake it.
    protected override bool Accepts(DashboardEvent e) =>
        e is GraphStatsObserved or BackendHealthChanged or RunCreated or RunStageReported or RunEnded;

    protected override bool IsSummary => true;

    // A run appearing or ending shows at once; counters and progress once a second.
    protected override bool IsUrgent(DashboardEvent e) => e is RunCreated or RunEnded;

    private static string HealthTooltip(BackendHealth b) =>
        $"{b.Kind}: {b.EventsReceived:N0} events, {b.Reconnects:N0} reconnects, {b.DecodeErrors:N0} decode errors" +
        (b.LastError is null ? "" : $". Last error: {b.LastError}");
}
