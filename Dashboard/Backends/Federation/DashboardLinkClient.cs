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
    private string? _cursorInstance;
    private long _remoteSeenTicks;

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

        // The instance the cursor belongs to (not the translator's, which a snapshot moves before the cursor does).
        var request = new { backends = (string[]?)null, runId = (string?)null, fromSequence = Cursor, instance = CursorInstance };
        long? snapshotAt = null;
        await foreach (var e in connection.StreamAsync<RemoteEvent>("Subscribe", request, cancellationToken))
        {
            var ended = translator.Apply(e);
            var at = RemoteTime(e.At);
            if (e.Type == "snapshot")
            {
                // Before the cursor moves past the snapshot: a link that drops while catching up
                // gets the snapshot again (its cursor is still unusable there) and catches up again.
                await CatchUpAsync(translator, ended, at, cancellationToken);

                // The text snapshots that follow share its sequence: the cursor moves once they are all in.
                snapshotAt = e.Sequence;
                var runs = e.Data.TryGetProperty("runs", out var list) ? list.GetArrayLength() : 0;
                if (runs == 0)
                {
                    Advance(translator, e.Sequence, at);
                    snapshotAt = null;
                }
            }
            else if (snapshotAt is null || e.Sequence > snapshotAt)
            {
                snapshotAt = null;
                Advance(translator, e.Sequence, at);
            }
        }
    }

    /// <summary>The link was away (a snapshot came instead of a resume): what ended there meanwhile comes from the other side's REST API.</summary>
    private async Task CatchUpAsync(RemoteEventTranslator translator, IReadOnlyList<string> endedRuns, DateTimeOffset? snapshotAt, CancellationToken cancellationToken)
    {
        var remote = new RemoteRuns(_http);
        foreach (var remoteRunId in endedRuns)
        {
            await SettleAsync(translator, remote, remoteRunId, cancellationToken);
        }

        if (RemoteSeenAt is { } seen && snapshotAt is { } until)
        {
            await BackfillAsync(translator, remote, seen - BackfillOverlap, until, cancellationToken);
        }
    }

    /// <summary>A run the link followed, no longer in flight there: it ended (or its dashboard lost it).</summary>
    private async Task SettleAsync(RemoteEventTranslator translator, RemoteRuns remote, string remoteRunId, CancellationToken cancellationToken)
    {
        var run = await remote.GetAsync(remoteRunId, cancellationToken);
        if (run is not null && run.Status.IsTerminal())
        {
            // The stages after the last one seen here are the ones the link missed.
            var timeline = translator.LocalRunId(remoteRunId) is { } local ? _state?.GetRun(local)?.Timeline : null;
            translator.Settle(run, timeline is { Count: > 0 } ? timeline[^1].At : null);
        }
        else if (run is null)
        {
            SettleLost(translator, remoteRunId, "its store changed while the link was away");
        }
    }

    /// <summary>A run followed here that the other dashboard no longer knows: it ends here as interrupted, saying why, instead of staying in flight for ever.</summary>
    private void SettleLost(RemoteEventTranslator translator, string remoteRunId, string why)
    {
        if (translator.LocalRunId(remoteRunId) is { } local && _state?.GetRun(local) is { } here)
        {
            translator.SettleLost(remoteRunId, here.Backend, $"The dashboard at {_base} no longer knows this run ({why}).", _clock.GetUtcNow());
        }
    }

    /// <summary>
    /// How far before the last event the link applied the back-fill starts: a run's start is
    /// stamped before it is sequenced, so one stamped a little earlier can come later. Runs known
    /// here are never taken twice, so the overlap only costs a longer list.
    /// </summary>
    public static readonly TimeSpan BackfillOverlap = TimeSpan.FromMinutes(1);

    /// <summary>Runs back-filled after one snapshot at most (the newest; the log says when some were left).</summary>
    public const int MaxBackfill = 1000;

    /// <summary>
    /// The runs that started and ended there while the link was away: in no snapshot (not in
    /// flight) and in no stream the link read. The API's <c>since</c> and <c>until</c> bound a
    /// run's start: from the last event the link applied to the snapshot (a later start comes in the stream).
    /// </summary>
    private async Task BackfillAsync(RemoteEventTranslator translator, RemoteRuns remote, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var (listed, more) = await remote.EndedAsync(since, until, MaxBackfill, cancellationToken);
        if (listed.Count == 0)
        {
            return;
        }

        var prefix = Options.Name + "/";
        var knownHere = (_state?.Runs ?? [])
            .Where(r => r.UpstreamId is not null && r.Backend.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(r => r.UpstreamId!)
            .ToHashSet(StringComparer.Ordinal);
        var recorded = 0;
        // Oldest first, as they happened.
        foreach (var summary in listed.Reverse())
        {
            if (knownHere.Contains(summary.Id) || translator.Knows(summary.Id))
            {
                continue;
            }

            if (await remote.GetAsync(summary.Id, cancellationToken) is { } run && translator.Record(run, knownHere) is not null)
            {
                recorded++;
            }
        }

        if (recorded > 0 || more)
        {
            _logger.LogInformation(
                "Link {Link} back-filled {Runs} runs that ended on {Url} while it was away (started since {Since:o}){More}",
                Options.Name, recorded, _base, since, more ? $"; only the newest {MaxBackfill} were read" : "");
        }
    }

    private static DateTimeOffset? RemoteTime(string? at) =>
        DateTimeOffset.TryParse(at, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var parsed) ? parsed : null;

    private string KeptKey => "federation:" + Options.Name;

    /// <summary>The other side's time of the latest event the link applied (its clock, so the back-fill's bounds need no clock of ours).</summary>
    private DateTimeOffset? RemoteSeenAt => Interlocked.Read(ref _remoteSeenTicks) is > 0 and var ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    private string? CursorInstance => Volatile.Read(ref _cursorInstance);

    // Saved after the events it covers were published: the store writes it with them, never ahead.
    private void Advance(RemoteEventTranslator translator, long sequence, DateTimeOffset? at)
    {
        if (translator.RemoteInstance is not { } instance)
        {
            return;
        }

        Interlocked.Exchange(ref _cursor, sequence);
        Volatile.Write(ref _cursorInstance, instance);
        if (at is { } time && time.UtcTicks > Interlocked.Read(ref _remoteSeenTicks))
        {
            Interlocked.Exchange(ref _remoteSeenTicks, time.UtcTicks);
        }

        _kept?.SaveValue(KeptKey, string.Create(
            System.Globalization.CultureInfo.InvariantCulture, $"{sequence} {instance} {Interlocked.Read(ref _remoteSeenTicks)}"));
    }

    /// <summary>Once per process: the cursor kept before a restart, and the runs the link was following then.</summary>
    private void LoadKept(RemoteEventTranslator translator)
    {
        if (_loaded)
        {
            return;
        }

        _loaded = true;
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        var digits = System.Globalization.NumberStyles.None;
        // "sequence instance seenTicks" (seenTicks absent in what earlier versions kept).
        if (_kept?.ReadValue(KeptKey) is not { } value
            || value.Split(' ') is not [var sequence, var instance, .. var rest] || rest.Length > 1
            || !long.TryParse(sequence, digits, culture, out var cursor))
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
        Volatile.Write(ref _cursorInstance, instance);
        if (rest is [var seen] && long.TryParse(seen, digits, culture, out var seenTicks))
        {
            Interlocked.Exchange(ref _remoteSeenTicks, seenTicks);
        }

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
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // Its store changed (a restart on a memory store, a cleared history) and the link has
                // not reconnected yet: nothing there will ever end the run here.
                _logger.LogWarning("Cancel of run {RemoteRunId} through link {Link}: the other dashboard does not know it; it ends here as interrupted", remoteRunId, Options.Name);
                SettleLost(Translator(), remoteRunId, "it answered 404 to the cancel");
            }

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
}
