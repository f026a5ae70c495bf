namespace Dashboard.Components.Controls;

/// <summary>How often a live component may render. The default holds each component to ≤ 25 renders/s.</summary>
public sealed class LiveRenderOptions
{
    public TimeSpan MinInterval { get; set; } = RenderThrottle.DefaultInterval;

    /// <summary>
    /// For summary pages (the Overview, the Runs list, the Backends page): at most one render per
    /// interval, 1 s by default, except at once for a run that starts or ends. What they show
    /// (counters, health, progress of many runs) moves about once a second anyway, and a run that
    /// streams elsewhere should cost them next to nothing.
    /// </summary>
    public TimeSpan SummaryInterval { get; set; } = TimeSpan.FromSeconds(1);
}
