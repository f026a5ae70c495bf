using System.Text.Json;
using Dashboard.Backends;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Runs;
using Dashboard.Security;
using Dashboard.Tests.Ingest;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Dashboard.Tests.Runs;

public sealed class RunManagerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly RecordingRunStore _sink = new();

    [Fact]
    public async Task Start_publishes_RunCreated_then_the_client_runs_to_its_end()
    {
        var manager = Create(new TestBackendKind("t"));
        var options = new Dictionary<string, JsonElement> { ["temperature"] = JsonSerializer.SerializeToElement(0.5) };

        var result = manager.Start(new RunRequest("Alpha", "write a parser", Options: options));

        Assert.Equal(StartRunOutcome.Started, result.Outcome);
        Assert.Matches("^run-[0-9a-f]{12}$", result.RunId);
        var ended = await _sink.WaitForEndAsync(result.RunId!);
        Assert.Equal(RunStatus.Completed, ended.Status);
        var events = _sink.EventsOf(result.RunId!);
        var created = Assert.IsType<RunCreated>(events[0]);
        Assert.Equal("alpha", created.Backend);
        Assert.Equal("write a parser", created.Prompt);
        Assert.Equal(0.5, created.Options["temperature"].GetDouble());
        Assert.IsType<RunStageReported>(events[1]);
        Assert.Single(events.OfType<RunEnded>());
        Assert.Equal(0, manager.ActiveCount);
    }

    [Fact]
    public async Task An_empty_parent_is_no_parent_and_the_client_sees_the_configured_backend_name()
    {
        var seen = new TaskCompletionSource<RunRequest>();
        var kind = new TestBackendKind("t")
        {
            Run = (run, _) =>
            {
                seen.TrySetResult(run.Request);
                run.End(RunStatus.Completed);
                return Task.CompletedTask;
            },
        };
        var manager = Create(kind);

        var result = manager.Start(new RunRequest("ALPHA", "prompt", ""));

        var request = await seen.Task.WaitAsync(Patience);
        Assert.Equal(("alpha", null), (request.Backend, request.ParentRunId));
        Assert.Null(Assert.IsType<RunCreated>(_sink.EventsOf(result.RunId!)[0]).ParentRunId);
    }

    [Fact]
    public void Run_ids_are_unique()
    {
        var manager = Create(new TestBackendKind("t"), maxConcurrentRuns: 100);

        var ids = Enumerable.Range(0, 50).Select(_ => manager.Start(new RunRequest("alpha", "prompt")).RunId).ToList();

        Assert.Equal(50, ids.Distinct().Count());
    }

    [Fact]
    public void Invalid_input_reports_every_field_and_creates_no_run()
    {
        var kind = new TestBackendKind("t") { RunValidation = r => [new FieldError("tech_stack", "Unknown tech stack.")] };
        var manager = Create(kind, maxPromptChars: 10);

        var missing = manager.Start(new RunRequest("alpha", "  "));
        var tooLong = manager.Start(new RunRequest("alpha", new string('x', 11)));

        Assert.Equal(StartRunOutcome.Invalid, missing.Outcome);
        Assert.Null(missing.RunId);
        Assert.Contains(missing.Errors, e => e is { Field: "prompt", Message: "Prompt is required." });
        Assert.Contains(missing.Errors, e => e.Field == "tech_stack");
        Assert.Equal(StartRunOutcome.Invalid, tooLong.Outcome);
        Assert.Contains(tooLong.Errors, e => e.Field == "prompt" && e.Message.Contains("at most 10", StringComparison.Ordinal));
        Assert.Empty(_sink.Events);
        Assert.Equal(0, manager.ActiveCount);
    }

    [Fact]
    public void Prompt_at_the_limit_is_accepted()
    {
        var manager = Create(new TestBackendKind("t"), maxPromptChars: 10);

        Assert.Empty(manager.Validate(new RunRequest("alpha", new string('x', 10))));
    }

    [Fact]
    public void Unknown_backend_is_reported_and_creates_no_run()
    {
        var manager = Create(new TestBackendKind("t"));

        var result = manager.Start(new RunRequest("nope", "prompt"));

        Assert.Equal(StartRunOutcome.UnknownBackend, result.Outcome);
        Assert.Contains(result.Errors, e => e.Field == "backend" && e.Message.Contains("nope", StringComparison.Ordinal));
        Assert.Empty(_sink.Events);
    }

    [Fact]
    public void Missing_backend_is_invalid_input()
    {
        var manager = Create(new TestBackendKind("t"));

        var result = manager.Start(new RunRequest("", "prompt"));

        Assert.Equal(StartRunOutcome.Invalid, result.Outcome);
        Assert.Contains(result.Errors, e => e is { Field: "backend", Message: "Backend is required." });
    }

    [Fact]
    public void A_backend_without_runs_cannot_start_one_and_is_not_offered()
    {
        var manager = Create(new TestBackendKind("graph", BackendCapabilities.GraphStats | BackendCapabilities.AlwaysOnStream));

        var result = manager.Start(new RunRequest("alpha", "prompt"));

        Assert.Equal(StartRunOutcome.Invalid, result.Outcome);
        Assert.Contains(result.Errors, e => e.Field == "backend" && e.Message.Contains("does not start runs", StringComparison.Ordinal));
        Assert.Empty(manager.RunBackends);
        Assert.Empty(_sink.Events);
    }

    [Fact]
    public void RunBackends_lists_runnable_backends_with_their_form_options()
    {
        var manager = Create(new TestBackendKind("t"));

        var backend = Assert.Single(manager.RunBackends);

        Assert.Equal(("alpha", "t", false), (backend.Name, backend.Kind, backend.IsDemo));
        Assert.Equal("temperature", Assert.Single(backend.Options).Name);
    }

    [Fact]
    public void Parent_run_must_exist_be_on_the_same_backend_and_have_an_upstream_id()
    {
        var manager = Create(new TestBackendKind("t"), new TestBackendKind("u"));
        _sink.AddRun("run-other", "beta", "gen-1");
        _sink.AddRun("run-local", "alpha", null);

        string Error(string parent) => Assert.Single(manager.Validate(new RunRequest("alpha", "prompt", parent)), e => e.Field == "parentRunId").Message;

        Assert.Contains("Unknown parent run", Error("run-missing"), StringComparison.Ordinal);
        Assert.Contains("ran on \"beta\"", Error("run-other"), StringComparison.Ordinal);
        Assert.Contains("no upstream id", Error("run-local"), StringComparison.Ordinal);
        Assert.Equal(StartRunOutcome.Invalid, manager.Start(new RunRequest("alpha", "prompt", "run-missing")).Outcome);
        Assert.Empty(_sink.Events);
    }

    [Fact]
    public async Task An_iteration_gets_its_parents_upstream_id()
    {
        var seen = new TaskCompletionSource<string?>();
        var kind = new TestBackendKind("t")
        {
            Run = (run, _) =>
            {
                seen.TrySetResult(run.ParentUpstreamId);
                run.End(RunStatus.Completed);
                return Task.CompletedTask;
            },
        };
        var manager = Create(kind);
        _sink.AddRun("run-parent", "alpha", "gen-42");

        var result = manager.Start(new RunRequest("alpha", "iterate", "run-parent"));

        Assert.Equal("gen-42", await seen.Task.WaitAsync(Patience));
        Assert.Equal("run-parent", Assert.IsType<RunCreated>(_sink.EventsOf(result.RunId!)[0]).ParentRunId);
    }

    [Fact]
    public async Task Concurrency_per_backend_is_bounded_and_a_slot_frees_when_a_run_ends()
    {
        var manager = Create(BlockingKind(), maxConcurrentRuns: 1);

        var first = manager.Start(new RunRequest("alpha", "one"));
        var second = manager.Start(new RunRequest("alpha", "two"));

        Assert.Equal(StartRunOutcome.Started, first.Outcome);
        Assert.Equal(StartRunOutcome.TooManyRuns, second.Outcome);
        Assert.Contains(second.Errors, e => e.Field == "backend" && e.Message.Contains("at most 1", StringComparison.Ordinal));
        Assert.Single(_sink.Events.OfType<RunCreated>());

        Assert.True(await manager.CancelAsync(first.RunId!));
        Assert.Equal(StartRunOutcome.Started, manager.Start(new RunRequest("alpha", "three")).Outcome);
    }

    [Fact]
    public async Task Cancel_asks_the_upstream_aborts_the_client_and_ends_the_run_cancelled_once()
    {
        var upstreamCancelled = new TaskCompletionSource<string?>();
        var clientAborted = new TaskCompletionSource();
        var assigned = new TaskCompletionSource();
        var kind = new TestBackendKind("t")
        {
            Run = async (run, ct) =>
            {
                run.AssignUpstreamId("gen-7");
                assigned.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                finally
                {
                    clientAborted.TrySetResult();
                }
            },
            Cancel = (run, _) =>
            {
                upstreamCancelled.TrySetResult(run.UpstreamId);
                return Task.CompletedTask;
            },
        };
        var manager = Create(kind);
        var runId = manager.Start(new RunRequest("alpha", "prompt")).RunId!;
        await assigned.Task.WaitAsync(Patience);

        Assert.True(await manager.CancelAsync(runId));

        Assert.Equal("gen-7", await upstreamCancelled.Task.WaitAsync(Patience));
        await clientAborted.Task.WaitAsync(Patience);
        Assert.Equal(RunStatus.Cancelled, (await _sink.WaitForEndAsync(runId)).Status);
        Assert.False(await manager.CancelAsync(runId));
        Assert.False(await manager.CancelAsync("run-unknown"));
        Assert.Single(_sink.EventsOf(runId).OfType<RunEnded>());
    }

    [Fact]
    public async Task A_cancelled_run_stays_cancelled_when_the_aborted_client_reports_a_failure()
    {
        var reported = new TaskCompletionSource();
        var kind = new TestBackendKind("t")
        {
            Run = async (run, ct) =>
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                    run.End(RunStatus.Failed, "connection aborted");
                    reported.TrySetResult();
                }
            },
        };
        var manager = Create(kind);
        var runId = manager.Start(new RunRequest("alpha", "prompt")).RunId!;

        Assert.True(await manager.CancelAsync(runId));
        await reported.Task.WaitAsync(Patience);

        var ended = Assert.Single(_sink.EventsOf(runId).OfType<RunEnded>());
        Assert.Equal(RunStatus.Cancelled, ended.Status);
    }

    [Fact]
    public async Task Cancel_of_an_ended_run_is_refused()
    {
        var manager = Create(new TestBackendKind("t"));
        var runId = manager.Start(new RunRequest("alpha", "prompt")).RunId!;
        await _sink.WaitForEndAsync(runId);

        Assert.False(await manager.CancelAsync(runId));
        Assert.Equal(RunStatus.Completed, Assert.Single(_sink.EventsOf(runId).OfType<RunEnded>()).Status);
    }

    [Fact]
    public async Task A_hanging_upstream_cancel_is_bounded_by_a_timeout()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var cancelCalled = new TaskCompletionSource();
        var kind = new TestBackendKind("t")
        {
            Run = (_, ct) => Task.Delay(Timeout.Infinite, ct),
            Cancel = (_, _) =>
            {
                cancelCalled.TrySetResult();
                return new TaskCompletionSource().Task;
            },
        };
        var manager = Create([kind], clock: clock);
        var runId = manager.Start(new RunRequest("alpha", "prompt")).RunId!;

        var cancelling = manager.CancelAsync(runId);
        await cancelCalled.Task.WaitAsync(Patience);
        Assert.False(cancelling.IsCompleted);
        clock.Advance(RunManager.UpstreamCancelTimeout);

        Assert.True(await cancelling.WaitAsync(Patience));
        Assert.Equal(RunStatus.Cancelled, (await _sink.WaitForEndAsync(runId)).Status);
    }

    [Fact]
    public async Task A_client_exception_ends_the_run_failed_with_the_message_redacted()
    {
        var kind = new TestBackendKind("t")
        {
            Run = (run, _) =>
            {
                run.Stage("sent", StageStatus.Running);
                throw new HttpRequestException("login as admin:hunter2secret refused");
            },
        };
        var manager = Create([kind], password: "hunter2secret");

        var runId = manager.Start(new RunRequest("alpha", "prompt")).RunId!;

        var ended = await _sink.WaitForEndAsync(runId);
        Assert.Equal(RunStatus.Failed, ended.Status);
        Assert.Equal("login as admin:*** refused", ended.Error);
        Assert.Single(_sink.EventsOf(runId).OfType<RunEnded>());
    }

    [Fact]
    public async Task A_client_that_returns_without_ending_the_run_still_ends_it_failed()
    {
        var kind = new TestBackendKind("t") { Run = (run, _) => Task.CompletedTask };
        var manager = Create(kind);

        var runId = manager.Start(new RunRequest("alpha", "prompt")).RunId!;

        var ended = await _sink.WaitForEndAsync(runId);
        Assert.Equal(RunStatus.Failed, ended.Status);
        Assert.Equal(RunManager.NoTerminalStateError, ended.Error);
    }

    [Fact]
    public async Task Shutdown_detaches_every_run_in_flight_without_cancelling_upstream_and_refuses_new_ones()
    {
        var upstreamCancels = 0;
        var stopped = 0;
        var kind = new TestBackendKind("t")
        {
            Run = async (_, ct) =>
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                finally
                {
                    Interlocked.Increment(ref stopped);
                }
            },
            Cancel = (_, _) =>
            {
                Interlocked.Increment(ref upstreamCancels);
                return Task.CompletedTask;
            },
        };
        var manager = Create(kind, maxConcurrentRuns: 5);
        var ids = Enumerable.Range(0, 3).Select(i => manager.Start(new RunRequest("alpha", $"run {i}")).RunId!).ToList();
        await manager.DetachAllAsync(new CancellationTokenSource(Patience).Token);

        // Every follower has stopped, none asked its upstream to cancel, and no run was ended here.
        Assert.Equal(3, Volatile.Read(ref stopped));
        Assert.Equal(0, Volatile.Read(ref upstreamCancels));
        foreach (var id in ids)
        {
            Assert.Empty(_sink.EventsOf(id).OfType<RunEnded>());
        }

        Assert.Equal(0, manager.ActiveCount);
        Assert.NotEqual(StartRunOutcome.Started, manager.Start(new RunRequest("alpha", "late")).Outcome);
    }

    [Fact]
    public async Task With_replicas_a_start_asks_again_for_its_lease_while_redis_connects_then_runs()
    {
        var time = new SignalingTimeProvider();
        var leases = new SlowToConnectLeases(unanswered: 3);
        var manager = Create([BlockingKind()], clock: time, leases: leases);

        var start = manager.StartAsync(new RunRequest("alpha", "prompt"));
        var waits = await time.DriveAsync(start, Patience);

        var result = await start;
        Assert.Equal(StartRunOutcome.Started, result.Outcome);
        Assert.Equal(3, waits.Count);
        Assert.Equal(4, leases.Asked);
        Assert.True(manager.IsFollowing(result.RunId!));
    }

    [Fact]
    public async Task With_replicas_a_start_refused_for_want_of_a_lease_gives_its_place_back()
    {
        var time = new SignalingTimeProvider();
        var leases = new SlowToConnectLeases(unanswered: int.MaxValue);
        var manager = Create([BlockingKind()], maxConcurrentRuns: 1, clock: time, leases: leases);
        var started = time.GetTimestamp();

        var start = manager.StartAsync(new RunRequest("alpha", "prompt"));
        await time.DriveAsync(start, Patience);

        var refused = await start;
        Assert.Equal(StartRunOutcome.TooManyRuns, refused.Outcome);
        Assert.Equal(RunManager.NoLeaseError, Assert.Single(refused.Errors).Message);
        // It kept asking for the whole patience, not once.
        Assert.InRange(time.GetElapsedTime(started), RunManager.StartLeasePatience - TimeSpan.FromMilliseconds(200), RunManager.StartLeasePatience);
        Assert.Equal(16, leases.Asked);
        Assert.Equal(0, manager.ActiveCount);
        Assert.Empty(_sink.Events);

        // The one place (MaxConcurrentRuns = 1) is free again: once Redis answers, the next start runs.
        leases.Unanswered = leases.Asked;
        Assert.Equal(StartRunOutcome.Started, (await manager.StartAsync(new RunRequest("alpha", "prompt"))).Outcome);
    }

    private static TestBackendKind BlockingKind() => new("t") { Run = (_, ct) => Task.Delay(Timeout.Infinite, ct) };

    private RunManager Create(TestBackendKind kind, int maxConcurrentRuns = 4, int maxPromptChars = 1000) =>
        Create([kind], maxConcurrentRuns, maxPromptChars);

    private RunManager Create(params TestBackendKind[] kinds) => Create(kinds, 4);

    private RunManager Create(
        IReadOnlyList<TestBackendKind> kinds,
        int maxConcurrentRuns = 4,
        int maxPromptChars = 1000,
        TimeProvider? clock = null,
        string? password = null,
        IFollowLeases? leases = null)
    {
        string[] names = ["alpha", "beta", "gamma"];
        var backends = kinds.Select((k, i) => new BackendOptions
        {
            Name = names[i], Kind = k.Kind, MaxConcurrentRuns = maxConcurrentRuns, Password = password,
        }).ToList();
        var options = Options.Create(new DashboardOptions { Backends = backends, Limits = new LimitsOptions { MaxPromptChars = maxPromptChars } });
        var catalog = new BackendCatalog();
        catalog.Publish([.. backends.Select((b, i) => new BackendEntry(b, kinds[i], kinds[i].CreateClient(b, null!)))]);
        // The app's redaction boundary (inside the hub) stands in front of the recording sink.
        return new RunManager(catalog, new RedactingEventSink(_sink, new SecretRedactor(options)), _sink, options, clock ?? TimeProvider.System, NullLogger<RunManager>.Instance, leases);
    }

    /// <summary>Leases as Redis gives them while it connects: the first <see cref="Unanswered"/> asks get no answer.</summary>
    private sealed class SlowToConnectLeases(int unanswered) : IFollowLeases
    {
        public int Unanswered { get; set; } = unanswered;

        public int Asked { get; private set; }

        public List<string> Released { get; } = [];

        public Task<IFollowLease> AcquireAsync(string key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IFollowLease?> TryAcquireAsync(string key, CancellationToken cancellationToken) => Task.FromResult(TryAcquire(key));

        public IFollowLease? TryAcquire(string key) => ++Asked > Unanswered ? new Held(key, this) : null;

        private sealed class Held(string key, SlowToConnectLeases owner) : IFollowLease
        {
            public string Key => key;

            public CancellationToken Lost => CancellationToken.None;

            public ValueTask DisposeAsync()
            {
                owner.Released.Add(key);
                return ValueTask.CompletedTask;
            }
        }
    }
}
