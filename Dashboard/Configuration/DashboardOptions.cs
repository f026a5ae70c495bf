namespace Dashboard.Configuration;

/// <summary>Root of configuration section <c>Dashboard</c> (appsettings, environment <c>Dashboard__…</c>).</summary>
public sealed class DashboardOptions
{
    public const string SectionName = "Dashboard";

    public List<BackendOptions> Backends { get; set; } = [];

    public DemoOptions Demo { get; set; } = new();

    public LimitsOptions Limits { get; set; } = new();

    public AuthOptions Auth { get; set; } = new();

    /// <summary>
    /// The address users type (behind a proxy: scheme, host, port and path base), e.g.
    /// https://example.com/dashboard: the dashboard's own origin for the Origin checks of
    /// state-changing requests, and a host name the Host check accepts. Null: the request's own origin.
    /// </summary>
    public string? PublicUrl { get; set; }

    public StorageOptions Storage { get; set; } = new();
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

    /// <summary>
    /// Longest a run of this backend may take, start to end; beyond it the run ends failed (an
    /// upstream trickling bytes or events cannot keep it alive forever). Null: <see cref="DefaultMaxRunDuration"/>.
    /// </summary>
    public TimeSpan? MaxRunDuration { get; set; }

    public static readonly TimeSpan DefaultMaxRunDuration = TimeSpan.FromHours(2);

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

    // Byte budgets (UTF-8 bytes) of upstream-controlled strings. Beyond a budget a value is cut
    // and marked ("… cut at 16 KB") and counted where the user sees it (backend health, run).

    /// <summary>A stage's message (timeline entry) and a run's error.</summary>
    public int StageMessageBytes { get; set; } = 16 * 1024;

    /// <summary>A stage name, a tool name, a tool call's status.</summary>
    public int NameBytes { get; set; } = 256;

    /// <summary>An SSE event id and event type (inspector); a longer id is never sent back as Last-Event-ID.</summary>
    public int EventIdBytes { get; set; } = 1024;

    /// <summary>One tool call's arguments.</summary>
    public int ToolArgumentsBytes { get; set; } = 64 * 1024;

    /// <summary>One tool call's detail text.</summary>
    public int ToolDetailBytes { get; set; } = 16 * 1024;

    /// <summary>Everything a run keeps besides its streamed text (timeline, tool calls, metadata); beyond it further entries are dropped and counted.</summary>
    public int RunBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>Everything one backend's inspector ring keeps; the oldest items fall out first.</summary>
    public int InspectorBytes { get; set; } = 4 * 1024 * 1024;
}

public sealed class AuthOptions
{
    /// <summary><c>BrowserToken</c> (default) or <c>Unsecured</c> (loopback-only opt-in).</summary>
    public string Mode { get; set; } = "BrowserToken";

    /// <summary>Fixed sign-in token (at least 16 characters); random per start when empty.</summary>
    public string? Token { get; set; }

    /// <summary>Optional read-only API token (at least 16 characters): GET routes, the live API and /metrics; never starts, cancels, deletes or pins runs.</summary>
    public string? ReadToken { get; set; }

    /// <summary>How long a browser sign-in lasts (sliding); sessions live in memory, so a restart signs everyone out.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Failed sign-ins and failed bearer checks allowed per client address per <see cref="FailedAuthWindow"/>; beyond it 429 with Retry-After.</summary>
    public int FailedAuthLimit { get; set; } = 10;

    public TimeSpan FailedAuthWindow { get; set; } = TimeSpan.FromMinutes(1);

    public const int MinTokenLength = 16;
}
