namespace Dashboard.Ingest;

/// <summary>Reconnect and publish pacing of the ingest engine (a singleton; tests register their own).</summary>
public sealed class IngestTimings
{
    /// <summary>First reconnect delay when the stream sent no <c>retry:</c>; doubles per failed attempt.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Retry pace of an always-on stream refused for a reason retrying soon will not fix (other 4xx, wrong media type).</summary>
    public TimeSpan SlowRetry { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Each delay is scaled by a random factor in [1 - Jitter, 1 + Jitter] so many streams do not reconnect in step.</summary>
    public double Jitter { get; init; } = 0.2;

    /// <summary>Most frequent health publish caused by counters alone (state changes publish at once).</summary>
    public TimeSpan HealthPublishInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A connection that stayed up this long resets the backoff of an always-on stream.</summary>
    public TimeSpan HealthyConnection { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bytes of a refused response body kept for the error message.</summary>
    public int ErrorBodyBytes { get; init; } = 8 * 1024;
}
