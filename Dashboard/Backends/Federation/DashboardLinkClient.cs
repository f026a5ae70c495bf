using System.Net.Http.Headers;
using System.Net.Http.Json;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Ingest.Monitoring;
using Dashboard.State;
using Microsoft.AspNetCore.SignalR.Client;

namespace Dashboard.Backends.Federation;

/// <summary>
/// Follows another dashboard's <c>/hubs/events</c> with SignalR.Client and republishes it here.
/// The link keeps its cursor (the last sequence it applied) and the other side's instance, so a
/// dropped connection resumes with nothing missed and nothing twice; a snapshot after a longer
/// absence back-fills the runs that ended meanwhile from the other side's REST API.
/// </summary>
public sealed class DashboardLinkClient : IAlwaysOnStream, IFederatedRuns, IAsyncDisposable
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
    private readonly IKeptValues? _kept;
    private readonly IDashboardState? _state;
    private readonly Lock _translatorGate = new();
    private bool _loaded;
    private RemoteEventTranslator? _translator;
    private long _cursor = NoCursor;

    private const long NoCursor = -1;

    /// <param name="ownInstance">This dashboard's store instance (asked when the link starts): a link that leads back to it is a loop.</param>
    /// <param name="kept">Where the cursor and the other side's instance are kept, so a restart of this dashboard resumes too.</param>
    /// <param name="state">The runs this dashboard has (after a restart, those the link was following).</param>
    public DashboardLinkClient(
        BackendOptions options,
        IDomainEventSink sink,
        TimeProvider clock,
        Func<string> ownInstance,
        BackendMonitors? monitors,
        ILogger<DashboardLinkClient> logger,
        IKeptValues? kept = null,
        IDashboardState? state = null)
    {
        _kept = kept;
        _state = state;
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
        var translator = Translator();
        LoadKept(translator);

        if (Cursor is not null)
        {
            translator.ApplyBackends(await connection.InvokeAsync<System.Text.Json.JsonElement>("GetSnapshot", cancellationToken));
        }

        var request = new { backends = (string[]?)null, runId = (string?)null, fromSequence = Cursor, instance = translator.RemoteInstance };
        long? snapshotAt = null;
        await foreach (var e in connection.StreamAsync<RemoteEvent>("Subscribe", request, cancellationToken))
        {
            var ended = translator.Apply(e);
            if (e.Type == "snapshot")
            {
                // The text snapshots that follow share its sequence: the cursor moves once they are all in.
                snapshotAt = e.Sequence;
                var runs = e.Data.TryGetProperty("runs", out var list) ? list.GetArrayLength() : 0;
                if (runs == 0)
                {
                    Advance(translator, e.Sequence);
                    snapshotAt = null;
                }
            }
            else if (snapshotAt is null || e.Sequence > snapshotAt)
            {
                snapshotAt = null;
                Advance(translator, e.Sequence);
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
            Translator().Settle(remoteRunId, run.Backend, run.Status, run.Error, run.Text ?? "", run.EndedAt ?? _clock.GetUtcNow());
        }
    }

    private string KeptKey => "federation:" + Options.Name;

    // Saved after the events it covers were published: the store writes it with them, never ahead.
    private void Advance(RemoteEventTranslator translator, long sequence)
    {
        Interlocked.Exchange(ref _cursor, sequence);
        if (translator.RemoteInstance is { } instance)
        {
            _kept?.SaveValue(KeptKey, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{sequence} {instance}"));
        }
    }

    /// <summary>Once per process: the cursor kept before a restart, and the runs the link was following then.</summary>
    private void LoadKept(RemoteEventTranslator translator)
    {
        if (_loaded)
        {
            return;
        }

        _loaded = true;
        if (_kept?.ReadValue(KeptKey) is not { } value
            || value.Split(' ', 2) is not [var sequence, var instance]
            || !long.TryParse(sequence, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var cursor))
        {
            return;
        }

        var prefix = Options.Name + "/";
        var runs = (_state?.Runs ?? [])
            .Where(r => !r.Status.IsTerminal() && r.UpstreamId is not null && r.Backend.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(r => (r.UpstreamId!, r.Id, (IReadOnlyList<(string, int)>)[.. r.ToolCalls.Select(t => (t.Id, t.Arguments.Length))]))
            .ToList();
        translator.Adopt(instance, runs);
        Interlocked.Exchange(ref _cursor, cursor);
        _logger.LogInformation("Link {Link} resumes after sequence {Cursor} of {Instance}, following {Runs} runs", Options.Name, cursor, instance, runs.Count);
    }

    // Made on first use: this dashboard's instance is known only once its store is open.
    private RemoteEventTranslator Translator()
    {
        lock (_translatorGate)
        {
            return _translator ??= new RemoteEventTranslator(Options.Name, _ownInstance(), _sink, _clock);
        }
    }

    public async Task<FederatedStart> StartAsync(string remoteBackend, RunRequest request, string? parentUpstreamId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new Dictionary<string, object?>(StringComparer.Ordinal) { ["backend"] = remoteBackend, ["prompt"] = request.Prompt };
        if (parentUpstreamId is not null)
        {
            body["parentRunId"] = parentUpstreamId;
        }

        if (request.Options is { Count: > 0 } options)
        {
            body["options"] = options;
        }

        try
        {
            using var response = await _http.PostAsJsonAsync("api/runs", body, RemoteJson.Options, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                var started = await response.Content.ReadFromJsonAsync<StartedRemoteRun>(RemoteJson.Options, cancellationToken);
                if (started?.Id is not { Length: > 0 } remoteRunId)
                {
                    return Unreachable($"The dashboard at {_base} accepted the run but named no run id.");
                }

                _logger.LogInformation("Run {RemoteRunId} started on {Backend} through link {Link}", remoteRunId, remoteBackend, Options.Name);
                return new FederatedStart(FederatedStartOutcome.Started, Translator().Claim(remoteRunId, remoteBackend, request), []);
            }

            var outcome = (int)response.StatusCode switch
            {
                StatusCodes.Status400BadRequest => FederatedStartOutcome.Invalid,
                StatusCodes.Status404NotFound => FederatedStartOutcome.UnknownBackend,
                StatusCodes.Status429TooManyRequests => FederatedStartOutcome.TooManyRuns,
                _ => FederatedStartOutcome.Unreachable,
            };
            var errors = await RemoteProblem.FieldErrorsAsync(response, cancellationToken);
            return outcome == FederatedStartOutcome.Unreachable
                ? Unreachable($"The dashboard at {_base} answered {(int)response.StatusCode} {response.ReasonPhrase}.")
                : new FederatedStart(outcome, null, errors.Count > 0 ? errors : [new FieldError("backend", $"The dashboard at {_base} answered {(int)response.StatusCode}.")]);
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return Unreachable($"The dashboard at {_base} could not be reached: {ex.Message}");
        }
    }

    private static FederatedStart Unreachable(string message) =>
        new(FederatedStartOutcome.Unreachable, null, [new FieldError("backend", message)]);

    public async Task<bool> CancelAsync(string remoteRunId, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.PostAsync($"api/runs/{Uri.EscapeDataString(remoteRunId)}/cancel", content: null, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException ex)
        {
            _logger.LogWarning("Cancel of run {RemoteRunId} through link {Link} failed: {Error}", remoteRunId, Options.Name, ex.Message);
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed record StartedRemoteRun(string? Id);

    private sealed record BackfilledRun(string Id, string Backend, RunStatus Status, string? Error, string? Text, DateTimeOffset? EndedAt);
}
