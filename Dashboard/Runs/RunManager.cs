using System.Collections.Concurrent;
using System.Security.Cryptography;
using Dashboard.Backends;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Security;
using Dashboard.State;
using Microsoft.Extensions.Options;

namespace Dashboard.Runs;

/// <summary>
/// The one place runs are started and cancelled (form and API alike). Each accepted run is
/// followed in the background until it ends; whatever the client does, the run ends exactly once.
/// Only runs in flight are kept here; finished runs live in the projections.
/// </summary>
public sealed class RunManager(
    BackendCatalog catalog,
    IDomainEventSink sink,
    IDashboardState state,
    IOptions<DashboardOptions> options,
    TimeProvider clock,
    ILogger<RunManager> logger,
    IFollowLeases? leases = null,
    IRunCancelRelay? cancelRelay = null) : IRunLauncher
{
    /// <summary>How long an upstream-side cancel may take before the run is aborted anyway.</summary>
    public static readonly TimeSpan UpstreamCancelTimeout = TimeSpan.FromSeconds(5);

    public const string NoTerminalStateError = "The backend client ended without a terminal state.";

    public const string NoLeaseError = "The run cannot be started now: the other replicas cannot be reached (Redis, Dashboard:ScaleOut:Redis). Try again shortly.";

    private readonly ConcurrentDictionary<string, ActiveRun> _active = new(StringComparer.Ordinal);
    private readonly Lock _startGate = new();
    private bool _stopping;

    public IReadOnlyList<RunBackend> RunBackends =>
    [
        .. catalog.All.Where(e => e.Has(BackendCapabilities.Runs)).Select(e => new RunBackend(e.Name, e.Kind.Kind, e.IsDemo, e.Runs!.RunOptions, e.Kind.Capabilities)),
        .. state.Backends.Select(h => FederatedBackend.Find(catalog, h)).OfType<FederatedBackend>().Where(f => f.StartsRuns).Select(f => f.ToRunBackend()),
    ];

    /// <summary>Runs in flight (for tests and diagnostics).</summary>
    public int ActiveCount => _active.Count;

    /// <summary>True while this replica follows the run.</summary>
    public bool IsFollowing(string runId) => _active.ContainsKey(runId);

    public IReadOnlyList<FieldError> Validate(RunRequest request) => Validate(request, out _);

    public StartRunResult Start(RunRequest request)
    {
        if (Federated(request.Backend) is { } federated)
        {
            // Its own dashboard answers over HTTP: only the waiting path can pass its answer on.
            return new StartRunResult(StartRunOutcome.Invalid, null,
                [new FieldError(RunFields.Backend, $"Backend \"{federated.Health.Name}\" is on another dashboard: its runs are started with StartAsync.")]);
        }

        return Reserve(request, out var reservation) ?? Launch(reservation!, leases?.TryAcquire(FollowLeaseKeys.Run(reservation!.Id)));
    }

    /// <summary>
    /// Several replicas: how long starting a run keeps asking Redis for its lease (a replica that
    /// has just started and is still connecting, a loaded machine) before it refuses the run.
    /// </summary>
    public static readonly TimeSpan StartLeasePatience = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan StartLeaseRetry = TimeSpan.FromMilliseconds(200);

    /// <summary>A run accepted but not launched yet: it holds one of its backend's <c>MaxConcurrentRuns</c> places.</summary>
    private sealed record Reservation(string Id, BackendEntry Backend, RunRequest Request, string? ParentUpstreamId);

    private readonly Dictionary<BackendEntry, int> _reserved = [];

    /// <summary>Validates and takes a place for the run; a refusal, or null with <paramref name="reservation"/> set.</summary>
    private StartRunResult? Reserve(RunRequest request, out Reservation? reservation)
    {
        reservation = null;
        var errors = Validate(request, out var backend);
        if (!string.IsNullOrWhiteSpace(request.Backend) && catalog.Find(request.Backend) is null)
        {
            return new StartRunResult(StartRunOutcome.UnknownBackend, null, errors);
        }

        if (backend is null || errors.Count > 0)
        {
            return new StartRunResult(StartRunOutcome.Invalid, null, errors);
        }

        var normalized = Normalize(request, backend);
        var parentUpstreamId = normalized.ParentRunId is { } parent ? state.GetRun(parent)?.UpstreamId : null;
        lock (_startGate)
        {
            if (_stopping)
            {
                return ShuttingDown;
            }

            var inFlight = _active.Values.Count(r => r.Backend == backend) + _reserved.GetValueOrDefault(backend);
            if (inFlight >= backend.Options.MaxConcurrentRuns)
            {
                return new StartRunResult(StartRunOutcome.TooManyRuns, null,
                    [new FieldError(RunFields.Backend, $"Backend \"{backend.Name}\" already has {inFlight} runs in flight (at most {backend.Options.MaxConcurrentRuns}, MaxConcurrentRuns).")]);
            }

            _reserved[backend] = _reserved.GetValueOrDefault(backend) + 1;
        }

        reservation = new Reservation(NewRunId(), backend, normalized, parentUpstreamId);
        return null;
    }

    private static StartRunResult ShuttingDown => new(StartRunOutcome.TooManyRuns, null, [new FieldError(RunFields.Backend, "The dashboard is shutting down.")]);

    private void Unreserve(BackendEntry backend)
    {
        if (_reserved[backend] == 1)
        {
            _reserved.Remove(backend);
        }
        else
        {
            _reserved[backend]--;
        }
    }

    /// <summary>
    /// Several replicas: the run's lease, asked again for up to <see cref="StartLeasePatience"/>
    /// (the id is new, so a refusal only ever means Redis did not answer).
    /// </summary>
    private async Task<IFollowLease?> TakeStartLeaseAsync(IFollowLeases leases, string runId, CancellationToken cancellationToken)
    {
        var asked = clock.GetTimestamp();
        while (true)
        {
            if (await leases.TryAcquireAsync(FollowLeaseKeys.Run(runId), cancellationToken) is { } lease)
            {
                return lease;
            }

            if (clock.GetElapsedTime(asked) + StartLeaseRetry > StartLeasePatience)
            {
                return null;
            }

            await Task.Delay(StartLeaseRetry, clock, cancellationToken);
        }
    }

    /// <summary>Turns a reservation into a run in flight (RunCreated, followed in the background), or gives its place back.</summary>
    private StartRunResult Launch(Reservation reservation, IFollowLease? lease)
    {
        ActiveRun run;
        lock (_startGate)
        {
            Unreserve(reservation.Backend);
            // Several replicas: the lease comes first, so no other replica ever sees this run in
            // flight without a holder (it would take it over).
            var refusal = _stopping ? ShuttingDown
                : leases is not null && lease is null ? new StartRunResult(StartRunOutcome.TooManyRuns, null, [new FieldError(RunFields.Backend, NoLeaseError)])
                : null;
            if (refusal is not null)
            {
                _ = lease?.DisposeAsync().AsTask();
                return refusal;
            }

            run = new ActiveRun(reservation.Id, reservation.Backend, reservation.Request, reservation.ParentUpstreamId, sink, clock, Forget);
            _active[run.Id] = run;
        }

        var backend = reservation.Backend;
        var normalized = reservation.Request;
        run.Publish(new RunCreated
        {
            Backend = backend.Name,
            At = clock.GetUtcNow(),
            RunId = run.Id,
            Prompt = normalized.Prompt,
            ParentRunId = normalized.ParentRunId,
            Options = normalized.Options ?? RunCreated.EmptyOptions,
        });
        // The prompt stays out of the log (it may hold anything); its size is enough to recognise a run.
        logger.LogInformation("Run {RunId} started on {Backend} ({Kind}); parent {ParentRunId}, prompt {PromptChars} characters",
            run.Id, backend.Name, backend.Kind.Kind, normalized.ParentRunId, normalized.Prompt.Length);
        _ = Task.Run(() => FollowAsync(run, null, lease));
        return StartRunResult.Started(run.Id);
    }

    public async Task<StartRunResult> StartAsync(RunRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Federated(request.Backend) is not { } federated)
        {
            if (Reserve(request, out var reservation) is { } refused)
            {
                return refused;
            }

            IFollowLease? lease = null;
            try
            {
                lease = leases is null ? null : await TakeStartLeaseAsync(leases, reservation!.Id, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Launch(reservation!, null);
                throw;
            }

            return Launch(reservation!, lease);
        }

        var errors = Validate(request);
        if (errors.Count > 0)
        {
            return new StartRunResult(StartRunOutcome.Invalid, null, errors);
        }

        var normalized = request with { Backend = federated.Health.Name, ParentRunId = string.IsNullOrEmpty(request.ParentRunId) ? null : request.ParentRunId };
        var parentUpstreamId = normalized.ParentRunId is { } parent ? state.GetRun(parent)?.UpstreamId : null;
        var answer = await federated.Link.StartAsync(federated.RemoteName, normalized, parentUpstreamId, cancellationToken);
        if (answer.Outcome == FederatedStartOutcome.Started && answer.RunId is { } runId)
        {
            logger.LogInformation("Run {RunId} started on {Backend} (on its own dashboard); parent {ParentRunId}, prompt {PromptChars} characters",
                runId, federated.Health.Name, normalized.ParentRunId, normalized.Prompt.Length);
            return StartRunResult.Started(runId);
        }

        return new StartRunResult(
            answer.Outcome switch
            {
                FederatedStartOutcome.UnknownBackend => StartRunOutcome.UnknownBackend,
                FederatedStartOutcome.TooManyRuns => StartRunOutcome.TooManyRuns,
                _ => StartRunOutcome.Invalid,
            },
            null,
            answer.Errors);
    }

    private FederatedBackend? Federated(string? name) =>
        name is null || !name.Contains('/', StringComparison.Ordinal)
            ? null
            : state.Backends.FirstOrDefault(h => BackendNames.Comparer.Equals(h.Name, name)) is { } health ? FederatedBackend.Find(catalog, health) : null;

    /// <summary>
    /// Start-up: a run that was in flight when the dashboard last stopped (already back in the
    /// projections) is followed again when its backend's client can re-attach (<see cref="IRunReattach"/>)
    /// and it has an upstream id; otherwise it ends interrupted now, at <paramref name="lastSeen"/>,
    /// with <paramref name="interruptedMessage"/>. True when it is followed again.
    /// </summary>
    /// <param name="lease">Several replicas: the run's lease, already taken by the caller; when null it is taken here, and a run another replica holds is left to it.</param>
    public bool Resume(RunView run, DateTimeOffset lastSeen, string interruptedMessage, IFollowLease? lease = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (FederatedBackend.IsLinked(catalog, run.Backend))
        {
            // Its link follows it again from its kept cursor (or settles it from the other side's REST API).
            logger.LogInformation("Run {RunId} on {Backend} was in flight at the last stop: its link follows it again", run.Id, run.Backend);
            return true;
        }

        if (leases is not null && lease is null)
        {
            lease = leases.TryAcquire(FollowLeaseKeys.Run(run.Id));
            if (lease is null)
            {
                logger.LogInformation("Run {RunId} on {Backend} is in flight and followed by another replica (or Redis cannot say): left to it.", run.Id, run.Backend);
                return false;
            }
        }

        var backend = catalog.Find(run.Backend);
        if (backend?.Runs is not IRunReattach || run.UpstreamId is not { } upstreamId)
        {
            sink.Publish(new RunEnded { Backend = run.Backend, At = lastSeen, RunId = run.Id, Status = RunStatus.Interrupted, Error = interruptedMessage });
            logger.LogInformation("Run {RunId} on {Backend} was in flight when its follower stopped and cannot be followed again: interrupted", run.Id, run.Backend);
            if (lease is not null)
            {
                _ = lease.DisposeAsync().AsTask();
            }

            return false;
        }

        var request = new RunRequest(backend.Name, run.Prompt, run.ParentRunId, run.Options);
        var active = new ActiveRun(run.Id, backend, request, upstreamId, run.Timeline, sink, clock, Forget);
        lock (_startGate)
        {
            if (_stopping)
            {
                // Left in flight in the store: the next start (or another replica) tries again.
                if (lease is not null)
                {
                    _ = lease.DisposeAsync().AsTask();
                }

                return false;
            }

            _active[run.Id] = active;
        }

        active.Publish(new RunStreamReconnected { Backend = backend.Name, At = clock.GetUtcNow(), RunId = run.Id });
        logger.LogInformation("Run {RunId} on {Backend} was in flight at the last stop: following upstream {UpstreamId} again", run.Id, backend.Name, upstreamId);
        _ = Task.Run(() => FollowAsync(active, run.StartedAt, lease));
        return true;
    }

    public async Task<bool> CancelAsync(string runId, CancellationToken cancellationToken = default)
    {
        if (!_active.TryGetValue(runId, out var run))
        {
            if (await CancelFederatedAsync(runId, cancellationToken))
            {
                return true;
            }

            // Several replicas: the run may be followed by another one, which is asked to cancel it.
            return cancelRelay is not null && state.GetRun(runId) is { Status: var status } && !status.IsTerminal()
                && await cancelRelay.RequestAsync(runId, cancellationToken);
        }

        if (!run.TryBeginCancel())
        {
            return false;
        }

        logger.LogInformation("Run {RunId} on {Backend}: cancel requested", runId, run.Backend.Name);
        try
        {
            using var timeout = new CancellationTokenSource(UpstreamCancelTimeout, clock);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
            if (run.Backend.Client is IUpstreamCancel upstream)
            {
                await upstream.CancelAsync(run.Context, linked.Token).WaitAsync(linked.Token);
            }
        }
        catch (Exception ex)
        {
            logger.LogWarning("Upstream cancel of run {RunId} on {Backend} failed: {Error}", runId, run.Backend.Name, ex.Message);
        }

        run.Abort();
        End(run, RunStatus.Cancelled, null);
        return true;
    }

    /// <summary>
    /// A run on a federated backend is followed by its link, not here: its own dashboard cancels it,
    /// and its run.ended comes back through the link.
    /// </summary>
    private async Task<bool> CancelFederatedAsync(string runId, CancellationToken cancellationToken)
    {
        if (state.GetRun(runId) is not { } run || run.Status.IsTerminal() || run.UpstreamId is not { } remoteRunId || Federated(run.Backend) is not { } federated)
        {
            return false;
        }

        logger.LogInformation("Run {RunId} on {Backend}: cancel requested (on its own dashboard)", runId, run.Backend);
        try
        {
            using var timeout = new CancellationTokenSource(UpstreamCancelTimeout, clock);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
            return await federated.Link.CancelAsync(remoteRunId, linked.Token);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Cancel of run {RunId} on {Backend} got no answer in time", runId, run.Backend);
            return false;
        }
    }

    /// <summary>
    /// Shutdown: no new runs; every run in flight is detached (followed no more, never cancelled
    /// upstream: only a user's cancel does that) and its follower awaited, bounded by
    /// <paramref name="cancellationToken"/>. The history store keeps what each run had.
    /// </summary>
    public async Task DetachAllAsync(CancellationToken cancellationToken)
    {
        lock (_startGate)
        {
            _stopping = true;
        }

        var runs = _active.Values.Where(r => r.Detach()).ToList();
        if (runs.Count > 0)
        {
            logger.LogInformation("Shutdown: {Count} runs in flight are left running upstream (detached, not cancelled).", runs.Count);
        }

        try
        {
            await Task.WhenAll(runs.Select(r => r.Completion)).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Shutdown did not wait for every run's client to stop.");
        }
    }

    private List<FieldError> Validate(RunRequest request, out BackendEntry? backend)
    {
        var errors = new List<FieldError>();
        backend = catalog.Find(request.Backend);
        var federated = backend is null ? Federated(request.Backend) : null;
        if (string.IsNullOrWhiteSpace(request.Backend))
        {
            errors.Add(new FieldError(RunFields.Backend, "Backend is required."));
        }
        else if (federated is not null)
        {
            // Its options are checked by its own dashboard, whose field errors pass through on start.
            if (!federated.StartsRuns)
            {
                errors.Add(new FieldError(RunFields.Backend, $"Backend \"{federated.Health.Name}\" ({federated.Health.Kind}, on another dashboard) does not start runs."));
            }
        }
        else if (backend is null)
        {
            errors.Add(new FieldError(RunFields.Backend, $"Unknown backend \"{request.Backend}\"."));
        }
        else if (!backend.Has(BackendCapabilities.Runs))
        {
            errors.Add(new FieldError(RunFields.Backend, $"Backend \"{backend.Name}\" ({backend.Kind.Kind}) does not start runs."));
            backend = null;
        }

        var maxPrompt = options.Value.Limits.MaxPromptChars;
        if (string.IsNullOrWhiteSpace(request.Prompt))
        {
            errors.Add(new FieldError(RunFields.Prompt, "Prompt is required."));
        }
        else if (request.Prompt.Length > maxPrompt)
        {
            errors.Add(new FieldError(RunFields.Prompt, $"Prompt is too long: {request.Prompt.Length} characters, at most {maxPrompt}."));
        }

        if (request.ParentRunId is { Length: > 0 } parentId)
        {
            var parent = state.GetRun(parentId);
            if (parent is null)
            {
                errors.Add(new FieldError(RunFields.ParentRunId, $"Unknown parent run \"{parentId}\"."));
            }
            else if ((backend?.Name ?? federated?.Health.Name) is { } name && !BackendNames.Comparer.Equals(parent.Backend, name))
            {
                errors.Add(new FieldError(RunFields.ParentRunId, $"Parent run {parentId} ran on \"{parent.Backend}\", not on \"{name}\"."));
            }
            else if (parent.UpstreamId is null)
            {
                errors.Add(new FieldError(RunFields.ParentRunId, $"Parent run {parentId} has no upstream id (it never reached its backend)."));
            }
        }

        if (backend is not null)
        {
            errors.AddRange(backend.Runs!.ValidateRun(Normalize(request, backend)));
        }

        return errors;
    }

    /// <param name="resumedFrom">For a run followed again after a restart: when it started (its time limit counts from then).</param>
    /// <param name="lease">Several replicas: the run's lease, released once the run is no longer followed here.</param>
    private async Task FollowAsync(ActiveRun run, DateTimeOffset? resumedFrom, IFollowLease? lease)
    {
        await using var held = lease;
        using var leaseLost = lease?.Lost.Register(() =>
        {
            // Another replica may take the run over after the TTL: this one must stop first.
            if (run.Detach())
            {
                logger.LogWarning("Run {RunId} on {Backend}: this replica lost its lease and stops following it (left running upstream).", run.Id, run.Backend.Name);
            }
        });
        var maxDuration = run.Backend.Options.MaxRunDuration ?? BackendOptions.DefaultMaxRunDuration;
        var left = resumedFrom is { } started ? maxDuration - (clock.GetUtcNow() - started) : maxDuration;
        using var deadline = clock.CreateTimer(_ => _ = ExpireAsync(run, maxDuration), null, left > TimeSpan.Zero ? left : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        try
        {
            if (resumedFrom is null)
            {
                await run.Backend.Runs!.RunAsync(run.Context, run.Token);
            }
            else
            {
                await ((IRunReattach)run.Backend.Runs!).ReattachAsync(run.Context, run.Token);
            }
        }
        catch (OperationCanceledException) when (run.Token.IsCancellationRequested)
        {
            // Reported below as cancelled (or left alone when detached at shutdown).
        }
        catch (Exception ex)
        {
            var error = ex.Message;
            logger.LogWarning("Run {RunId} on {Backend} failed: {Error}", run.Id, run.Backend.Name, error);
            End(run, RunStatus.Failed, error);
        }
        finally
        {
            if (run.Detached)
            {
                // Shutdown: the run is neither ended nor failed here.
            }
            else if (run.CancelRequested)
            {
                End(run, RunStatus.Cancelled, null);
            }
            else if (!run.Ended && state.GetRun(run.Id)?.Status.IsTerminal() != true)
            {
                End(run, RunStatus.Failed, NoTerminalStateError);
            }

            Forget(run);
            var ended = state.GetRun(run.Id);
            logger.LogInformation("Run {RunId} on {Backend} ended {Status} after {DurationMs} ms",
                run.Id, run.Backend.Name, ended?.Status, ended?.EndedAt is { } at ? (long)(at - ended.StartedAt).TotalMilliseconds : null);
            run.MarkCompleted();
        }
    }

    /// <summary>
    /// The run outlived its backend's MaxRunDuration: it ends failed now (a cancel already under
    /// way wins), its client is stopped and the upstream is asked to stop too, bounded.
    /// </summary>
    private async Task ExpireAsync(ActiveRun run, TimeSpan maxDuration)
    {
        if (run.Ended || run.CancelRequested)
        {
            return;
        }

        End(run, RunStatus.Failed, MaxDurationError(run.Backend.Name, maxDuration));
        logger.LogWarning("Run {RunId} on {Backend} exceeded its maximum duration {MaxRunDuration} and was stopped.", run.Id, run.Backend.Name, maxDuration);
        run.Abort();
        if (run.Backend.Client is not IUpstreamCancel upstream)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(UpstreamCancelTimeout, clock);
            await upstream.CancelAsync(run.Context, timeout.Token).WaitAsync(timeout.Token);
        }
        catch (Exception ex)
        {
            logger.LogWarning("Upstream cancel of run {RunId} on {Backend} after its maximum duration failed: {Error}", run.Id, run.Backend.Name, ex.Message);
        }
    }

    public static string MaxDurationError(string backend, TimeSpan maxDuration) =>
        $"The run took longer than its maximum duration ({maxDuration:c}, MaxRunDuration of backend \"{backend}\") and was stopped.";

    private static void End(ActiveRun run, RunStatus status, string? error) => run.Context.End(status, error);

    private void Forget(ActiveRun run) => _active.TryRemove(run.Id, out _);

    /// <summary>The backend's configured spelling, and no parent rather than an empty one.</summary>
    private static RunRequest Normalize(RunRequest request, BackendEntry backend) =>
        request with { Backend = backend.Name, ParentRunId = string.IsNullOrEmpty(request.ParentRunId) ? null : request.ParentRunId };

    private static string NewRunId() => "run-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
}
