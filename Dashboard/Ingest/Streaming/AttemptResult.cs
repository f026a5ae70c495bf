namespace Dashboard.Ingest.Streaming;

/// <summary>How one connection attempt ended, and what the runner should do about it.</summary>
internal enum AttemptKind
{
    /// <summary>The decoder saw its terminal event.</summary>
    Terminal,

    /// <summary>An accepted stream ended or dropped (resumable unless the spec says otherwise).</summary>
    Ended,

    /// <summary>Network error, 5xx, 429, 408, stall: retry with backoff.</summary>
    Transient,

    /// <summary>401/403: one re-auth, then give up.</summary>
    Unauthorized,

    /// <summary>Other 4xx or not an event stream: retrying soon will not help.</summary>
    Refused,
}

internal sealed record AttemptResult(
    AttemptKind Kind,
    string? Error = null,
    int? HttpStatus = null,
    string? ErrorBody = null,
    TimeSpan? RetryAfter = null,
    bool Accepted = false,
    bool Delivered = false,
    bool Stalled = false);
