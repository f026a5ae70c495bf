namespace Dashboard.LiveApi;

/// <summary>Section <c>Dashboard:LiveApi</c>: bounds of the replay window behind the live event API.</summary>
public sealed class LiveApiOptions
{
    public const string SectionName = "Dashboard:LiveApi";

    /// <summary>Events kept for resume; a client further behind gets a gap and a snapshot.</summary>
    public int ReplayMaxEvents { get; set; } = 50_000;

    /// <summary>Estimated memory of the kept events.</summary>
    public long ReplayMaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Bytes a SignalR subscriber may have unacknowledged (stateful reconnect keeps them to resend
    /// after a blip). The client acknowledges about once a second, so this bounds one subscriber's
    /// throughput too: SignalR's default of 100,000 bytes held a subscriber near 100 KB/s, about 600
    /// small text events a second, whatever the machine could do.
    /// </summary>
    public long StatefulReconnectBufferBytes { get; set; } = 1024 * 1024;

    /// <summary>Seconds between SSE heartbeat comments.</summary>
    public int HeartbeatSeconds { get; set; } = 15;
}
