using Dashboard.Domain;
namespace Dashboard.Ingest;

/// <summary>
/// Keeps one SSE stream flowing into a decoder through faults: connects (GET or POST, built fresh
/// per attempt so single-use tokens can be renewed), parses with the spec-conformant parser,
/// reconnects with retry:/backoff/jitter/Last-Event-ID, applies limits, records every raw item
/// in the backend's inspector ring and keeps the backend's health counters.
/// </summary>
public interface ISseStreamRunner
{
    Task<StreamOutcome> RunAsync(SseStreamSpec spec, CancellationToken cancellationToken);
}

public enum StreamLifetime
{
    /// <summary>A run's stream: bounded retries; other 4xx fail at once.</summary>
    Run,

    /// <summary>Always-on stream (graph stats, raw sse): retries forever; other 4xx retry slowly (≥ 60 s).</summary>
    AlwaysOn,
}

public sealed record SseStreamSpec
{
    /// <summary>Backend name (health counters, inspector ring).</summary>
    public required string Backend { get; init; }

    /// <summary>Named client from IHttpClientFactory.</summary>
    public required string HttpClientName { get; init; }

    /// <summary>Builds the request for each attempt (fresh stream token, Last-Event-ID is added by the runner).</summary>
    public required Func<StreamAttempt, CancellationToken, Task<HttpRequestMessage>> CreateRequest { get; init; }

    public required IStreamDecoder Decoder { get; init; }

    public required DecodeContext Context { get; init; }

    public StreamLifetime Lifetime { get; init; } = StreamLifetime.Run;

    /// <summary>Silence longer than this: Idle (when <see cref="SilenceIsIdle"/>) or a reconnect.</summary>
    public TimeSpan? StallTimeout { get; init; }

    /// <summary>Upstreams silent by design (CodeDreamer): silence is shown as idle, the connection stays.</summary>
    public bool SilenceIsIdle { get; init; }

    /// <summary>
    /// False for streams that cannot be resumed (an LLM POST would be re-run and re-billed):
    /// a drop after the first byte ends the stream as <see cref="StreamEnd.EndedWithoutTerminal"/>.
    /// </summary>
    public bool ResumeAfterDrop { get; init; } = true;

    /// <summary>Attempts for a run stream before giving up (always-on streams retry forever).</summary>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>One backend-specific re-auth on 401/403 (new login, new stream token). False: give up.</summary>
    public Func<CancellationToken, Task<bool>>? ReauthenticateAsync { get; init; }

    /// <summary>After each successful (re)connect, before reading: e.g. load the graph snapshot.</summary>
    public Func<CancellationToken, Task>? OnConnectedAsync { get; init; }
}

public sealed record StreamAttempt(int Number, string? LastEventId, bool AfterReauthentication);

public enum StreamEnd
{
    /// <summary>The decoder saw its dialect's terminal event.</summary>
    Terminal,

    /// <summary>The stream ended (or dropped, unresumable) without a terminal event.</summary>
    EndedWithoutTerminal,

    /// <summary>Could not connect or was refused (status, media type, auth, retries used up).</summary>
    Failed,

    Cancelled,
}

/// <param name="Error">Human-readable reason, secrets redacted.</param>
/// <param name="HttpStatus">Status of the last refused response, if any.</param>
/// <param name="ErrorBody">Start of the last refused response body (bounded), for the upstream's own message.</param>
public sealed record StreamOutcome(StreamEnd End, string? Error = null, int? HttpStatus = null, string? ErrorBody = null)
{
    /// <summary>The stream stopped because no complete event arrived within its stall timeout (bytes may still have trickled in).</summary>
    public bool Stalled { get; init; }
}
