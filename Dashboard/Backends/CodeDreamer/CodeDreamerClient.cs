using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dashboard.Backends.Common;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Backends.CodeDreamer;

/// <summary>
/// CodeDreamer (docs/protocols.md, "CodeDreamer"): the always-on graph stream with a <c>/graph/stats</c> snapshot
/// on every (re)connect and, rate-limited, after node counts change; and dream runs (<c>POST /dream</c>, answered synchronously) whose
/// timeline the dashboard synthesizes: request sent → waiting → done/failed, with timings.
/// </summary>
public sealed class CodeDreamerClient(
    BackendOptions options,
    IHttpClientFactory http,
    ISseStreamRunner runner,
    IDomainEventSink sink,
    TimeProvider clock,
    ILogger logger) : IRunClient, IAlwaysOnStream
{
    /// <summary>The graph stream is silent while the graph does not grow: idle after this, never a reconnect.</summary>
    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>A dream is one synchronous LLM call on the upstream; give up waiting after this.</summary>
    public static readonly TimeSpan DreamTimeout = TimeSpan.FromMinutes(10);

    public const double DefaultTemperature = 0.9;

    public BackendOptions Options { get; } = options;

    public IReadOnlyList<RunOptionField> RunOptions { get; } =
    [
        new("temperature", "Temperature", RunOptionType.Number, Default: DefaultTemperature.ToString(CultureInfo.InvariantCulture), Min: 0, Max: 2,
            Help: "Sampling temperature of the dream (0–2)."),
    ];

    public IReadOnlyList<FieldError> ValidateRun(RunRequest request) =>
        request.Options is { } o && o.TryGetValue("temperature", out var t) && t.ValueKind != JsonValueKind.Null
            && (t.ValueKind != JsonValueKind.Number || t.GetDouble() is < 0 or > 2)
            ? [new FieldError("temperature", "Temperature must be a number from 0 to 2.")]
            : [];

    public async Task RunAsync(RunContext run, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["seed_text"] = run.Request.Prompt };
        if (run.Request.Options is { } o && o.TryGetValue("temperature", out var t) && t.ValueKind == JsonValueKind.Number)
        {
            body["temperature"] = t.GetDouble();
        }

        run.Stage("request_sent", StageStatus.Completed, "POST /dream");
        run.Stage("waiting", StageStatus.Running, "Waiting for the dream");
        var started = Stopwatch.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Options.StallTimeout ?? DreamTimeout);
        try
        {
            var client = http.CreateClient(Options);
            client.Timeout = Timeout.InfiniteTimeSpan;
            using var response = await client.SendAsync(Options.NewRequest(HttpMethod.Post, "dream", JsonContent.Create(body)), deadline.Token);
            await response.EnsureSuccessAsync(deadline.Token);
            using var doc = JsonDocument.Parse(await response.ReadBodyAsync(deadline.Token));
            var root = JsonFields.RequireObject(doc.RootElement);
            var content = JsonFields.String(root, "content") ?? throw new JsonException("Dream answer without content.");

            run.Text(content, TextMode.Replace);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var field in (ReadOnlySpan<string>)["category", "novelty_score"])
            {
                if (JsonFields.Scalar(root, field) is { } value)
                {
                    metadata[field] = value;
                }
            }

            if (metadata.Count > 0)
            {
                run.Metadata(metadata);
            }

            run.Stage("done", StageStatus.Completed, $"Dream returned after {Seconds(started)}");
            run.End(RunStatus.Completed);
        }
        catch (Exception e) when (RunFinish.IsUpstreamFailure(e, cancellationToken))
        {
            run.Fail("failed", deadline.IsCancellationRequested
                ? $"no answer after {Seconds(started)}"
                : $"{RunFinish.Describe(e)} (after {Seconds(started)})");
        }
    }

    public async Task RunAlwaysOnAsync(CancellationToken cancellationToken)
    {
        var context = new DecodeContext(Options.Name, null, sink, clock);
        using var refresher = new GraphStatsRefresher(clock, ct => LoadSnapshotAsync(context, ct));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var refreshing = refresher.RunAsync(stop.Token);
        try
        {
            await runner.RunAsync(new SseStreamSpec
            {
                Backend = Options.Name,
                HttpClientName = BackendHttp.ClientName(Options.Name),
                Decoder = new CodeDreamerDecoder(refresher.ObserveNodes),
                Context = context,
                Lifetime = StreamLifetime.AlwaysOn,
                SilenceIsIdle = true,
                StallTimeout = Options.StallTimeout ?? DefaultStallTimeout,
                CreateRequest = (_, _) => Task.FromResult(Options.NewRequest(HttpMethod.Get, "events")),
                OnConnectedAsync = refresher.LoadNowAsync,
            }, cancellationToken);
        }
        finally
        {
            await stop.CancelAsync();
            await refreshing;
        }
    }

    /// <summary>
    /// The stream carries no edges or entanglement, and says nothing at all for an empty graph:
    /// the snapshot fills both, on connect and after node counts change. A failed snapshot is
    /// logged; the stream itself is fine.
    /// </summary>
    private async Task<int?> LoadSnapshotAsync(DecodeContext context, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.CreateClient(Options).SendAsync(Options.NewRequest(HttpMethod.Get, "graph/stats"), cancellationToken);
            await response.EnsureSuccessAsync(cancellationToken);
            var stats = CodeDreamerDecoder.ParseSnapshot(await response.ReadBodyAsync(cancellationToken));
            context.Emit(new GraphStatsObserved { Backend = Options.Name, At = context.Now, Stats = stats });
            return stats.Nodes;
        }
        catch (Exception e) when (RunFinish.IsUpstreamFailure(e, cancellationToken))
        {
            logger.LogWarning("Graph snapshot of backend {Backend} failed: {Error}", Options.Name, RunFinish.Describe(e));
            return null;
        }
    }

    private static string Seconds(long started) =>
        $"{Stopwatch.GetElapsedTime(started).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s";
}
