namespace Dashboard.Components.Controls;

/// <summary>How often a live component may render. The default holds each component to ≤ 25 renders/s.</summary>
public sealed class LiveRenderOptions
{
    public TimeSpan MinInterval { get; set; } = RenderThrottle.DefaultInterval;
}
