using System.Net.Http.Headers;
using System.Net.Http.Json;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Ingest.Monitoring;
using Microsoft.AspNetCore.SignalR.Client;

namespace Dashboard.Backends.Federation;

/// <summary>
/// Follows another dashboard's <c>/hubs/events</c> with SignalR.Client and republishes it here.
/// The link keeps its cursor (the last sequence it applied) and the other side's instance, so a
/// dropped connection resumes with nothing missed and nothing twice; a snapshot after a longer
/// absence back-fills the runs that ended meanwhile from the other side's REST API.
/// </summary>
public sealed class DashboardLinkClient : IAlwaysOnStream, IAsyncDisposable
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(30);

    private readonly IDomainEventSink _sink;
    private readonly TimeProvider _clock;
    private readonly Func<string> _ownInstance;
    private readonly BackendMonitors? _monitors;
    private readonly ILogger _logger;
    private readonly Uri _base;
    private readonly HttpClient _http;
    private RemoteEventTranslator? _translator;
    private long _cursor = NoCursor;

    private const long NoCursor = -1;

    /// <param name="ownInstance">This dashboard's store instance (asked when the link starts): a link that leads back to it is a loop.</param>
    public DashboardLinkClient(BackendOptions options, IDomainEventSink sink, TimeProvider clock, Func<string> ownInstance, BackendMonitors? monitors, ILogger<DashboardLinkClient> logger)
    {
        Options = options;
        _sink = sink;
        _clock = clock;
        _ownInstance = ownInstance;
        _monitors = monitors;
        _logger = logger;
        _base = new Uri(options.BaseUrl!.TrimEnd('/') + "/", UriKind.Absolute);
        _http = new HttpClient { BaseAddress = _base, Timeout = TimeSpan.FromSeconds(30) };
        if (options.ApiKey is { Length: > 0 } key)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
    }

    public BackendOptions Options { get; }

    /// <summary>The other dashboard's sequence this link has applied up to (null before its first snapshot is complete).</summary>
    public long? Cursor => Interlocked.Read(ref _cursor) is var cursor and >= 0 ? cursor : null;

    public async Task RunAlwaysOnAsync(CancellationToken cancellationToken)
    {
        var monitor = _monitors?.For(Options.Name);
        var retry = FirstRetry;
        while (!cancellationToken.IsCancellationRequested)
        {
            var tracker = monitor?.OpenStream();
            try
            {
                await FollowAsync(tracker, cancellationToken);
                tracker?.Close(BackendState.Reconnecting);
                retry = FirstRetry;
            }
            catch (FederationLoopException ex)
            {
                // Refused for good: retrying would make the same loop.
                _logger.LogError("{Refusal}", ex.Message);
                monitor?.ReportError(ex.Message);
                tracker?.Close(BackendState.Failed);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                tracker?.Close(BackendState.Stopped);
                return;
            }
            catch (Exception ex)
            {
                _logger.LogWarning("Link {Link} to {Url} dropped: {Error}", Options.Name, _base, ex.Message);
                monitor?.ReportError($"Link to {_base} dropped: {ex.Message}");
                tracker?.Close(BackendState.Failed);
            }

            monitor?.RecordReconnect();
            await Task.Delay(retry, _clock, cancellationToken);
            retry = TimeSpan.FromTicks(Math.Min(LastRetry.Ticks, retry.Ticks * 2));
        }
    }

    private async Task FollowAsync(StreamTracker? tracker, CancellationToken cancellationToken)
    {
        await using var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(_base, "hubs/events"), o =>
            {
                if (Options.ApiKey is { Length: > 0 } key)
                {
                    o.AccessTokenProvider = () => Task.FromResult<string?>(key);
                }
            })
            .Build();
        await connection.StartAsync(cancellationToken);
        tracker?.Set(BackendState.Connected);
        _translator ??= new RemoteEventTranslator(Options.Name, _ownInstance(), _sink, _clock);

        var request = new { backends = (string[]?)null, runId = (string?)null, fromSequence = Cursor, instance = _translator.RemoteInstance };
        long? snapshotAt = null;
        await foreach (var e in connection.StreamAsync<RemoteEvent>("Subscribe", request, cancellationToken))
        {
            var ended = _translator.Apply(e);
            if (e.Type == "snapshot")
            {
                // The text snapshots that follow share its sequence: the cursor moves once they are all in.
                snapshotAt = e.Sequence;
                var runs = e.Data.TryGetProperty("runs", out var list) ? list.GetArrayLength() : 0;
                if (runs == 0)
                {
                    Interlocked.Exchange(ref _cursor, e.Sequence);
                    snapshotAt = null;
                }
            }
            else if (snapshotAt is null || e.Sequence > snapshotAt)
            {
                snapshotAt = null;
                Interlocked.Exchange(ref _cursor, e.Sequence);
            }

            foreach (var remoteRun in ended)
            {
                await BackfillAsync(remoteRun, cancellationToken);
            }
        }
    }

    private async Task BackfillAsync(string remoteRunId, CancellationToken cancellationToken)
    {
        var run = await _http.GetFromJsonAsync<BackfilledRun>($"api/runs/{Uri.EscapeDataString(remoteRunId)}", RemoteJson.Options, cancellationToken);
        if (run is not null && run.Status.IsTerminal())
        {
            _translator!.Settle(remoteRunId, run.Backend, run.Status, run.Error, run.Text ?? "", run.EndedAt ?? _clock.GetUtcNow());
        }
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed record BackfilledRun(string Id, string Backend, RunStatus Status, string? Error, string? Text, DateTimeOffset? EndedAt);
}
