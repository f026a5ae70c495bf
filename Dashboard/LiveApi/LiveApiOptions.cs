namespace Dashboard.LiveApi;

/// <summary>Section <c>Dashboard:LiveApi</c>: bounds of the replay window behind the live event API.</summary>
public sealed class LiveApiOptions
{
    public const string SectionName = "Dashboard:LiveApi";

    /// <summary>Events kept for resume; a client further behind gets a gap and a snapshot.</summary>
    public int ReplayMaxEvents { get; set; } = 50_000;

    /// <summary>Estimated memory of the kept events.</summary>
    public long ReplayMaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Seconds between SSE heartbeat comments.</summary>
    public int HeartbeatSeconds { get; set; } = 15;
}
