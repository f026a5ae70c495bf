namespace Dashboard.Configuration;

/// <summary>Root of configuration section <c>Dashboard</c> (appsettings, environment <c>Dashboard__…</c>).</summary>
public sealed class DashboardOptions
{
    public const string SectionName = "Dashboard";

    public List<BackendOptions> Backends { get; set; } = [];

    public DemoOptions Demo { get; set; } = new();

    public LimitsOptions Limits { get; set; } = new();

    public AuthOptions Auth { get; set; } = new();

    public global::Dashboard.Storage.StorageOptions Storage { get; set; } = new();
}

/// <summary>One upstream: <c>Dashboard:Backends:&lt;i&gt;:…</c>.</summary>
public sealed class BackendOptions
{
    public string Name { get; set; } = "";

    /// <summary>codedreamer, codegen, openai-chat, openai-responses, anthropic, forge, testgen, plain-chat, jobs, sse.</summary>
    public string Kind { get; set; } = "";

    /// <summary>What the upstream's own SDK calls its base URL; a path prefix is allowed.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Stream URL for the raw <c>sse</c> kind (always-on).</summary>
    public string? Url { get; set; }

    /// <summary>HTTP method for the raw <c>sse</c> kind: GET (default) or POST.</summary>
    public string? Method { get; set; }

    /// <summary>Request body for the raw <c>sse</c> kind when <see cref="Method"/> is POST.</summary>
    public string? Body { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }

    public string? ApiKey { get; set; }

    /// <summary>Extra headers sent on every request to this backend (values are treated as secrets).</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public string? Model { get; set; }

    /// <summary>anthropic: required <c>max_tokens</c>.</summary>
    public int MaxTokens { get; set; } = 1024;

    /// <summary>
    /// Silence longer than this is reported (idle for always-on streams where silence is normal,
    /// a stall that triggers a reconnect for run streams). Null: the kind's default.
    /// </summary>
    public TimeSpan? StallTimeout { get; set; }

    /// <summary>Most runs of this backend in flight at once.</summary>
    public int MaxConcurrentRuns { get; set; } = 4;

    /// <summary>Set by the embedded demo for its own backends; shown in the UI.</summary>
    public bool IsDemo { get; set; }
}

public sealed class DemoOptions
{
    /// <summary>Null: on when no backends are configured, off otherwise.</summary>
    public bool? Enabled { get; set; }

    /// <summary>Seed of the demo's randomness (null: time-based).</summary>
    public int? Seed { get; set; }

    /// <summary>Multiplies every demo delay: 0.1 runs the demo ten times faster.</summary>
    public double TimeScale { get; set; } = 1.0;

    /// <summary>Force every demo run's outcome: complete, warning, fail, drop (null: varied).</summary>
    public string? Outcome { get; set; }
}

public sealed class LimitsOptions
{
    /// <summary>Largest SSE event (sum of its data) kept; bigger ones are dropped and counted.</summary>
    public int MaxEventBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Longest single SSE line; a longer one drops the event it belongs to.</summary>
    public int MaxLineBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Raw items kept per backend for the inspector.</summary>
    public int InspectorCapacity { get; set; } = 500;

    /// <summary>Characters of data kept per inspector item.</summary>
    public int InspectorDataChars { get; set; } = 4096;

    /// <summary>Runs kept in memory, in flight and recent (oldest finished evicted first); the history store keeps the rest.</summary>
    public int MaxRuns { get; set; } = 500;

    /// <summary>Streamed text kept per run; beyond it the text is marked truncated.</summary>
    public int MaxRunTextChars { get; set; } = 8 * 1024 * 1024;

    /// <summary>Graph history points kept in memory per backend; longer ranges come from the history store.</summary>
    public int GraphHistoryPoints { get; set; } = 720;

    /// <summary>Longest prompt accepted by the API and the form (a kind may be stricter).</summary>
    public int MaxPromptChars { get; set; } = 100_000;

    /// <summary>Notifications queued per hub subscriber before the oldest are merged away.</summary>
    public int SubscriberQueueCapacity { get; set; } = 1024;
}

public sealed class AuthOptions
{
    /// <summary><c>BrowserToken</c> (default) or <c>Unsecured</c> (loopback-only opt-in).</summary>
    public string Mode { get; set; } = "BrowserToken";

    /// <summary>Fixed sign-in token; random per start when empty.</summary>
    public string? Token { get; set; }
}
