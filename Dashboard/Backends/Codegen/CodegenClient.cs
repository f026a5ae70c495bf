using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dashboard.Backends.Common;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Security;

namespace Dashboard.Backends.Codegen;

/// <summary>
/// Runs on the code-generation backend (see docs/protocols.md): start or iterate, follow the
/// progress stream with a fresh single-use stream token per connection, and settle the final
/// status with <c>GET /generations/{id}</c> when the stream stops without a final event.
/// </summary>
public sealed class CodegenClient : StreamedRunClient<CodegenDecoder>, IUpstreamCancel, IRunReattach
{
    /// <summary>The backend is silent ~55 s while its LLM works; a stall is well beyond that.</summary>
    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromSeconds(120);

    private readonly SecretRedactor _redactor;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly CodegenSession _session;

    public CodegenClient(BackendOptions options, IHttpClientFactory http, ISseStreamRunner runner, SecretRedactor redactor, TimeProvider clock, ILogger logger)
        : base(options, runner)
    {
        _redactor = redactor;
        _clock = clock;
        _logger = logger;
        _session = new CodegenSession(options, http, redactor);
    }

    public override IReadOnlyList<RunOptionField> RunOptions => CodegenRunOptions.Fields;

    /// <summary>Waits between status checks while the generation is still processing (bounded: one check per entry, plus the first).</summary>
    internal IReadOnlyList<TimeSpan> StatusPollDelays { get; set; } =
        [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30)];

    protected override TimeSpan DefaultStall => DefaultStallTimeout;

    public override IReadOnlyList<FieldError> ValidateRun(RunRequest request) => CodegenRunOptions.Validate(request);

    public Task ReattachAsync(RunContext run, CancellationToken cancellationToken) => ReattachCoreAsync(run, cancellationToken);

    public async Task CancelAsync(RunContext run, CancellationToken cancellationToken)
    {
        if (run.UpstreamId is not { } id)
        {
            return;
        }

        try
        {
            using var response = await _session.SendAsync(() => Options.NewRequest(HttpMethod.Post, $"generations/{Uri.EscapeDataString(id)}/cancel"), cancellationToken);
            await response.EnsureSuccessAsync(cancellationToken);
        }
        catch (Exception e) when (RunFinish.IsUpstreamFailure(e, cancellationToken))
        {
            // The local run is cancelled either way; the upstream may already have finished.
            _logger.LogWarning("Cancel of generation on backend {Backend} was not accepted: {Error}", Options.Name, RunFinish.Describe(e));
        }
    }

    protected override string? Refuse(RunContext run) =>
        run.Request.ParentRunId is not null && run.ParentUpstreamId is null ? "The parent run has no generation id to iterate on." : null;

    protected override CodegenDecoder CreateDecoder() => new();

    protected override Task EndWithoutOutcomeAsync(RunContext run, CodegenDecoder decoder, DecodeContext context, StreamOutcome outcome, CancellationToken cancellationToken) =>
        SettleFromStatusAsync(run, run.UpstreamId!, RunFinish.Describe(outcome), cancellationToken);

    protected override async Task<string?> StartAsync(RunContext run, CancellationToken cancellationToken)
    {
        var request = run.Request;
        var mode = CodegenRunOptions.Text(request, "generation_mode");
        JsonObject body;
        string path;
        if (run.ParentUpstreamId is { } parent)
        {
            path = "generations/iterate";
            body = new JsonObject
            {
                ["parent_generation_id"] = parent,
                ["modification_prompt"] = request.Prompt,
                ["context"] = new JsonObject(),
            };
            if (mode is not null)
            {
                body["generation_mode"] = mode;
            }
        }
        else
        {
            path = "generations/generate";
            body = new JsonObject
            {
                ["prompt"] = request.Prompt,
                ["context"] = new JsonObject(),
                ["constraints"] = new JsonArray([.. CodegenRunOptions.List(request, "constraints").Select(c => JsonValue.Create(c))]),
                ["is_iteration"] = false,
                ["generation_mode"] = mode ?? "auto",
            };
            if (CodegenRunOptions.Text(request, "tech_stack") is { } stack)
            {
                body["tech_stack"] = stack;
            }

            if (CodegenRunOptions.Text(request, "domain") is { } domain)
            {
                body["domain"] = domain;
            }
        }

        using var response = await _session.SendAsync(() => Options.NewRequest(HttpMethod.Post, path, JsonContent.Create(body)), cancellationToken);
        await response.EnsureSuccessAsync(cancellationToken);
        using var doc = JsonDocument.Parse(await response.ReadBodyAsync(cancellationToken));
        return JsonFields.String(JsonFields.RequireObject(doc.RootElement), "generation_id")
            ?? throw new JsonException("Start answer without generation_id.");
    }

    protected override SseStreamSpec DescribeStream(RunContext run, CodegenDecoder decoder, DecodeContext context) =>
        Stream(decoder, context, resumeAfterDrop: true, (_, ct) => CreateStreamRequestAsync(run.UpstreamId!, ct)) with
        {
            ReauthenticateAsync = async ct =>
            {
                try
                {
                    await _session.RenewAsync(null, ct);
                    return true;
                }
                catch (Exception e) when (RunFinish.IsUpstreamFailure(e, ct))
                {
                    return false;
                }
            },
        };

    /// <summary>Every connection needs its own single-use stream token (60 s).</summary>
    private async Task<HttpRequestMessage> CreateStreamRequestAsync(string id, CancellationToken cancellationToken)
    {
        var escaped = Uri.EscapeDataString(id);
        using var response = await _session.SendAsync(() => Options.NewRequest(HttpMethod.Post, $"generations/generate/{escaped}/stream-token"), cancellationToken);
        if ((int)response.StatusCode is 429 or >= 500)
        {
            // Transient: the runner retries the connection (with backoff) for an HttpRequestException.
            var body = await response.ReadBodyAsync(cancellationToken, 64 * 1024);
            throw new HttpRequestException($"stream token: {UpstreamError.Describe((int)response.StatusCode, body)}", null, response.StatusCode);
        }

        // Anything else refused (400 once the generation is over) stops the stream: the status fallback takes over.
        await response.EnsureSuccessAsync(cancellationToken);
        using var doc = JsonDocument.Parse(await response.ReadBodyAsync(cancellationToken));
        var token = JsonFields.String(JsonFields.RequireObject(doc.RootElement), "sse_token")
            ?? throw new JsonException("Stream-token answer without sse_token.");
        if (!SecretRedactor.IsMaskable(token))
        {
            throw new JsonException($"Stream-token answer's sse_token is shorter than {SecretRedactor.MinSecretLength} characters: too short to keep out of pages and logs, not used.");
        }

        _redactor.Add(token);
        return Options.NewRequest(HttpMethod.Get, $"generations/generate/{escaped}/stream?token={Uri.EscapeDataString(token)}");
    }

    /// <summary>
    /// The stream stopped without a final event: ask the backend for the generation's status,
    /// again with growing pauses while it is still pending/processing, a bounded number of times.
    /// </summary>
    private async Task SettleFromStatusAsync(RunContext run, string id, string streamError, CancellationToken cancellationToken)
    {
        run.Stage("status_check", StageStatus.Running, $"{streamError}; checking GET /generations/{id}");
        string? lastStatus = null;
        string? lastError = null;
        for (var check = 0; ; check++)
        {
            try
            {
                var (status, error) = await GetStatusAsync(id, cancellationToken);
                lastStatus = status;
                switch (status)
                {
                    case "completed":
                        run.Stage("status_check", StageStatus.Completed, "Generation completed (reported by GET /generations/{id})", 1.0);
                        run.End(RunStatus.Completed);
                        return;
                    case "failed":
                        run.Fail("status_check", error ?? "Generation failed (reported by GET /generations/{id})");
                        return;
                    case "cancelled":
                        run.Stage("status_check", StageStatus.Cancelled, "Generation was cancelled upstream");
                        run.End(RunStatus.Cancelled, "Generation was cancelled upstream");
                        return;
                }
            }
            catch (Exception e) when (RunFinish.IsUpstreamFailure(e, cancellationToken))
            {
                lastError = RunFinish.Describe(e);
            }

            if (check >= StatusPollDelays.Count)
            {
                break;
            }

            await Task.Delay(StatusPollDelays[check], _clock, cancellationToken);
        }

        var why = lastStatus is not null
            ? $"{streamError}; generation still {lastStatus} after {StatusPollDelays.Count + 1} status checks"
            : $"{streamError}; status check failed: {lastError}";
        run.FailUnsettled("status_check", why);
    }

    private async Task<(string? Status, string? Error)> GetStatusAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await _session.SendAsync(() => Options.NewRequest(HttpMethod.Get, $"generations/{Uri.EscapeDataString(id)}"), cancellationToken);
        await response.EnsureSuccessAsync(cancellationToken);
        using var doc = JsonDocument.Parse(await response.ReadBodyAsync(cancellationToken));
        var root = JsonFields.RequireObject(doc.RootElement);
        var error = JsonFields.Value(root, "error_message") is { } m ? UpstreamError.FromElement(m)
            : JsonFields.Value(root, "error") is { } e ? UpstreamError.FromElement(e)
            : null;
        return (JsonFields.String(root, "status"), error);
    }
}
