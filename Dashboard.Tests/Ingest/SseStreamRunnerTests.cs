using System.Text;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Ingest.Monitoring;
using Dashboard.Ingest.Sse;
using Dashboard.Ingest.Streaming;
using Dashboard.Security;
using Dashboard.Tests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.Ingest;

/// <summary>The whole ingest path against a real Kestrel socket, with a fake clock for every wait.</summary>
public sealed class SseStreamRunnerTests : IAsyncDisposable
{
    private const string Backend = "upstream";
    private const string ApiKey = "sk-live-TOPSECRET-31337";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly SignalingTimeProvider _clock = new();
    private readonly RecordingSink _sink = new();
    private readonly LimitsOptions _limits = new();
    private ServiceProvider? _services;
    private LoopbackUpstream? _server;

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }

    private SseStreamRunner Runner => Services.GetRequiredService<SseStreamRunner>();

    private BackendMonitors Monitors => Services.GetRequiredService<BackendMonitors>();

    private ServiceProvider Services => _services ??= BuildServices();

    private ServiceProvider BuildServices()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(Options.Create(new DashboardOptions
        {
            Backends = [new BackendOptions { Name = Backend, Kind = "sse", ApiKey = ApiKey }],
            Limits = _limits,
        }));
        services.AddSingleton<IDomainEventSink>(_sink);
        services.AddSingleton<TimeProvider>(_clock);
        services.AddSingleton(new IngestTimings { Jitter = 0 });
        services.AddIngest();
        return services.BuildServiceProvider();
    }

    private async Task StartServerAsync(Func<HttpContext, int, Task> handle) => _server = await LoopbackUpstream.StartAsync(handle);

    private SseStreamSpec Spec(TestDecoder decoder, string path = "stream") => new()
    {
        Backend = Backend,
        HttpClientName = "test",
        CreateRequest = (_, _) => Task.FromResult(new HttpRequestMessage(HttpMethod.Get, new Uri(_server!.Root, path))),
        Decoder = decoder,
        Context = new DecodeContext(Backend, "run-1", _sink, _clock),
    };

    private BackendHealth Health => Monitors.For(Backend).Health;

    [Fact]
    public async Task Bytes_in_pieces_of_1_to_7_give_the_same_items_as_the_whole_fixture()
    {
        var bytes = Fixtures.Bytes("openai-chat.sse");
        await StartServerAsync(async (context, _) =>
        {
            await LoopbackUpstream.BeginStreamAsync(context);
            await LoopbackUpstream.WriteInPiecesAsync(context, bytes, new Random(7));
        });
        var decoder = new TestDecoder();

        var outcome = await Runner.RunAsync(Spec(decoder), CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(StreamEnd.Terminal, outcome.End);
        var (expected, _) = RecordingSseHandler.Parse(bytes);
        Assert.Equal(expected.Items, decoder.Items);
        Assert.Equal(expected.Items.Count, Health.EventsReceived);
        Assert.Equal(0, Health.DecodeErrors);
        Assert.Equal("text/event-stream", Assert.Single(_server!.Requests).Accept);
        Assert.Equal(BackendState.Idle, Health.State);
    }

    [Fact]
    public async Task A_cut_mid_event_resumes_with_last_event_id_after_the_retry_delay_with_nothing_lost_or_duplicated()
    {
        var decoder = new TestDecoder();
        await StartServerAsync(async (context, number) =>
        {
            await LoopbackUpstream.BeginStreamAsync(context);
            if (number == 1)
            {
                await LoopbackUpstream.WriteAsync(context, "retry: 1500\nid: 1\ndata: one\n\nid: 2\ndata: two\n\nid: 3\ndata: thr");

                // A reset can discard bytes the client has not read yet: cut only once the complete events are in.
                await decoder.WaitForItemsAsync(2);
                context.Abort();
                return;
            }

            var after = int.Parse(context.Request.Headers["Last-Event-ID"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
            var events = new[] { "one", "two", "three", "four" }.Select((d, i) => $"id: {i + 1}\ndata: {d}\n\n").Skip(after);
            await LoopbackUpstream.WriteAsync(context, string.Concat(events) + "data: [DONE]\n\n");
        });

        var run = Runner.RunAsync(Spec(decoder), CancellationToken.None);
        var delays = await _clock.DriveAsync(run, Timeout);

        Assert.Equal(StreamEnd.Terminal, (await run).End);
        Assert.Equal([TimeSpan.FromMilliseconds(1500)], delays);
        Assert.Equal(["one", "two", "three", "four", "[DONE]"], decoder.Items.Select(i => i.Data));
        Assert.Equal(["1", "2", "3", "4", "4"], decoder.Items.Select(i => i.LastEventId));
        Assert.Equal([null, "2"], _server!.Requests.Select(r => r.LastEventId));
        Assert.Equal(1, Health.Reconnects);
    }

    [Fact]
    public async Task Server_errors_retry_with_exponential_backoff()
    {
        await StartServerAsync(async (context, number) =>
        {
            if (number <= 3)
            {
                context.Response.StatusCode = number == 2 ? 502 : 503;
                return;
            }

            await LoopbackUpstream.BeginStreamAsync(context);
            await LoopbackUpstream.WriteAsync(context, "data: [DONE]\n\n");
        });
        var decoder = new TestDecoder();

        var run = Runner.RunAsync(Spec(decoder), CancellationToken.None);
        var delays = await _clock.DriveAsync(run, Timeout);

        Assert.Equal(StreamEnd.Terminal, (await run).End);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)], delays);
        Assert.Equal(3, Health.Reconnects);
        Assert.Contains("503", Health.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_many_requests_honours_retry_after_in_seconds_and_as_a_date()
    {
        await StartServerAsync(async (context, number) =>
        {
            switch (number)
            {
                case 1:
                    context.Response.StatusCode = 429;
                    context.Response.Headers.RetryAfter = "7";
                    return;
                case 2:
                    context.Response.StatusCode = 429;
                    context.Response.Headers.RetryAfter = _clock.GetUtcNow().AddSeconds(20).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
                    return;
                default:
                    await LoopbackUpstream.BeginStreamAsync(context);
                    await LoopbackUpstream.WriteAsync(context, "data: [DONE]\n\n");
                    return;
            }
        });

        var run = Runner.RunAsync(Spec(new TestDecoder()), CancellationToken.None);
        var delays = await _clock.DriveAsync(run, Timeout);

        Assert.Equal(StreamEnd.Terminal, (await run).End);
        Assert.Equal([TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(20)], delays);
    }

    [Fact]
    public async Task Run_stream_gives_up_after_max_attempts()
    {
        await StartServerAsync((context, _) =>
        {
            context.Response.StatusCode = 500;
            return Task.CompletedTask;
        });

        var run = Runner.RunAsync(Spec(new TestDecoder()) with { MaxAttempts = 3 }, CancellationToken.None);
        await _clock.DriveAsync(run, Timeout);

        var outcome = await run;
        Assert.Equal(StreamEnd.Failed, outcome.End);
        Assert.Equal(500, outcome.HttpStatus);
        Assert.StartsWith("gave up after 3 attempts", outcome.Error, StringComparison.Ordinal);
        Assert.Equal(3, _server!.RequestCount);
        Assert.Equal(BackendState.Failed, Health.State);
    }

    [Fact]
    public async Task Unauthorized_reauthenticates_once_then_fails_with_a_clear_message()
    {
        await StartServerAsync(async (context, _) =>
        {
            context.Response.StatusCode = 401;
            await context.Response.WriteAsync("{\"detail\":\"Could not validate credentials\"}");
        });
        var reauths = 0;
        var attempts = new List<StreamAttempt>();
        var spec = Spec(new TestDecoder()) with
        {
            ReauthenticateAsync = _ =>
            {
                reauths++;
                return Task.FromResult(true);
            },
            CreateRequest = (attempt, _) =>
            {
                attempts.Add(attempt);
                return Task.FromResult(new HttpRequestMessage(HttpMethod.Get, new Uri(_server!.Root, "stream")));
            },
        };

        var outcome = await Runner.RunAsync(spec, CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(StreamEnd.Failed, outcome.End);
        Assert.Equal(401, outcome.HttpStatus);
        Assert.Equal(1, reauths);
        Assert.Equal(2, _server!.RequestCount);
        Assert.Equal([false, true], attempts.Select(a => a.AfterReauthentication));
        Assert.StartsWith("unauthorized (HTTP 401): check the credentials of backend 'upstream'", outcome.Error, StringComparison.Ordinal);
        Assert.Contains("Could not validate credentials", outcome.ErrorBody, StringComparison.Ordinal);
        Assert.Equal(BackendState.Failed, Health.State);
        Assert.StartsWith("unauthorized", Health.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forbidden_without_reauthentication_fails_at_once()
    {
        await StartServerAsync((context, _) =>
        {
            context.Response.StatusCode = 403;
            return Task.CompletedTask;
        });

        var outcome = await Runner.RunAsync(Spec(new TestDecoder()) with { Lifetime = StreamLifetime.AlwaysOn }, CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(StreamEnd.Failed, outcome.End);
        Assert.Equal(403, outcome.HttpStatus);
        Assert.Equal(1, _server!.RequestCount);
    }

    [Fact]
    public async Task Not_found_fails_a_run_stream_without_retry_and_keeps_the_body()
    {
        await StartServerAsync(async (context, _) =>
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsync("{\"error\":{\"message\":\"no such generation\"}}" + new string('x', 20_000));
        });

        var outcome = await Runner.RunAsync(Spec(new TestDecoder()), CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(StreamEnd.Failed, outcome.End);
        Assert.Equal(404, outcome.HttpStatus);
        Assert.StartsWith("{\"error\":{\"message\":\"no such generation\"}}", outcome.ErrorBody, StringComparison.Ordinal);
        Assert.Equal(8 * 1024, outcome.ErrorBody!.Length);
        Assert.Equal(1, _server!.RequestCount);
        Assert.Equal(0, Health.Reconnects);
    }

    [Fact]
    public async Task Wrong_media_type_fails_a_run_stream_and_shows_on_the_monitor()
    {
        await StartServerAsync(async (context, _) =>
        {
            await LoopbackUpstream.BeginStreamAsync(context, "application/json");
            await LoopbackUpstream.WriteAsync(context, "{\"data\":\"not sse\"}");
        });

        var outcome = await Runner.RunAsync(Spec(new TestDecoder()), CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(StreamEnd.Failed, outcome.End);
        Assert.Contains("application/json", outcome.Error, StringComparison.Ordinal);
        Assert.Equal(BackendState.Failed, Health.State);
        Assert.Contains("not an event stream", Health.LastError, StringComparison.Ordinal);
        Assert.Equal(0, Health.EventsReceived);
    }

    [Fact]
    public async Task Always_on_stream_refused_retries_slowly_and_stops_when_cancelled()
    {
        await StartServerAsync(async (context, _) =>
        {
            await LoopbackUpstream.BeginStreamAsync(context, "text/html");
            await LoopbackUpstream.WriteAsync(context, "<html>login</html>");
        });
        using var cts = new CancellationTokenSource();
        var spec = Spec(new TestDecoder()) with { Lifetime = StreamLifetime.AlwaysOn };

        var run = Runner.RunAsync(spec, cts.Token);
        Assert.Equal(TimeSpan.FromSeconds(60), await _clock.NextTimerAsync(Timeout));
        Assert.Equal(BackendState.Failed, Health.State);
        _clock.Advance(TimeSpan.FromSeconds(60));
        Assert.True(await _clock.NextTimerAsync(Timeout) >= TimeSpan.FromSeconds(60));
        await cts.CancelAsync();

        Assert.Equal(StreamEnd.Cancelled, (await run.WaitAsync(Timeout)).End);
        Assert.Equal(2, _server!.RequestCount);
        Assert.Equal(BackendState.Stopped, Health.State);
    }

    [Fact]
    public async Task Media_type_parameters_are_ignored()
    {
        await StartServerAsync(async (context, _) =>
        {
            await LoopbackUpstream.BeginStreamAsync(context, "Text/Event-Stream; charset=utf-8");
            await LoopbackUpstream.WriteAsync(context, "data: héllo\n\ndata: [DONE]\n\n");
        });
        var decoder = new TestDecoder();

        var outcome = await Runner.RunAsync(Spec(decoder), CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(StreamEnd.Terminal, outcome.End);
        Assert.Equal("héllo", decoder.Items.First().Data);
    }

    [Fact]
    public async Task Oversized_event_is_dropped_and_counted_and_later_events_arrive()
    {
        _limits.MaxEventBytes = 1024;
        _limits.MaxLineBytes = 512;
        await StartServerAsync(async (context, _) =>
        {
            await LoopbackUpstream.BeginStreamAsync(context);
            var big = string.Concat(Enumerable.Repeat("data: " + new string('z', 400) + "\n", 10));
            await LoopbackUpstream.WriteAsync(context, "data: before\n\n" + big + "\ndata: " + new string('l', 5000) + "\n\ndata: after\n\ndata: [DONE]\n\n");
        });
        var decoder = new TestDecoder();

        var outcome = await Runner.RunAsync(Spec(decoder), CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(StreamEnd.Terminal, outcome.End);
        Assert.Equal(["before", "after", "[DONE]"], decoder.Items.Select(i => i.Data));
        Assert.Equal(2, Health.OversizedDropped);
        Assert.Equal(3, Health.EventsReceived);
        var notes = Monitors.Recent(Backend, 10).Select(r => r.Note).ToList();
        Assert.Equal(2, notes.Count(n => n?.StartsWith("oversized: dropped", StringComparison.Ordinal) == true));
    }

    [Fact]
    public async Task Garbage_bytes_do_not_break_the_runner()
    {
        var garbage = new byte[64 * 1024];
        new Random(99).NextBytes(garbage);
        await StartServerAsync(async (context, _) =>
        {
            await LoopbackUpstream.BeginStreamAsync(context);
            await context.Response.Body.WriteAsync(garbage);
            await context.Response.Body.WriteAsync("\n\ndata: survived\n\n"u8.ToArray());
        });
        var decoder = new TestDecoder();

        var outcome = await Runner.RunAsync(Spec(decoder) with { ResumeAfterDrop = false }, CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(StreamEnd.EndedWithoutTerminal, outcome.End);
        Assert.Equal("survived", decoder.Items.Last().Data);
        Assert.Equal(1, _server!.RequestCount);
    }

    [Fact]
    public async Task Malformed_json_is_a_decode_error_and_the_stream_goes_on()
    {
        await StartServerAsync(async (context, _) =>
        {
            await LoopbackUpstream.BeginStreamAsync(context);
            await LoopbackUpstream.WriteAsync(context, "data: {\"ok\":1}\n\ndata: {\"broken\": \n\ndata: {\"ok\":2}\n\ndata: [DONE]\n\n");
        });
        var decoder = new TestDecoder();

        var outcome = await Runner.RunAsync(Spec(decoder), CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(StreamEnd.Terminal, outcome.End);
        Assert.Equal(4, decoder.Items.Count);
        Assert.Equal(1, Health.DecodeErrors);
        var records = Monitors.Recent(Backend, 10);
        Assert.Equal("{\"broken\": ", records[1].Data);
        Assert.StartsWith("decode error: ", records[1].Note, StringComparison.Ordinal);
        Assert.Null(records[2].Note);
    }

    [Fact]
    public async Task Silence_is_idle_when_the_backend_says_so_and_new_bytes_make_it_connected_again()
    {
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await StartServerAsync(async (context, _) =>
        {
            await LoopbackUpstream.BeginStreamAsync(context);
            await LoopbackUpstream.WriteAsync(context, "data: a\n\n");
            await resume.Task;
            await LoopbackUpstream.WriteAsync(context, ": heartbeat\n\n");
            await resume.Task;
            await LoopbackUpstream.WriteAsync(context, "data: [DONE]\n\n");
        });
        var decoder = new TestDecoder();
        var stall = TimeSpan.FromMinutes(5);
        var spec = Spec(decoder) with { Lifetime = StreamLifetime.AlwaysOn, StallTimeout = stall, SilenceIsIdle = true };

        var run = Runner.RunAsync(spec, CancellationToken.None);
        await decoder.WaitForItemsAsync(1);
        await _sink.WaitForHealthAsync(Backend, h => h.State == BackendState.Connected);

        // Each pending read has its own stall timer; advance past whichever exists until the runner reports idle.
        // (The backend's registration also published Idle, before any event: not the one awaited here.)
        var idle = _sink.WaitForHealthAsync(Backend, h => h.State == BackendState.Idle && h.EventsReceived > 0);
        while (!idle.IsCompleted)
        {
            var timer = _clock.NextTimerAsync(Timeout);
            await Task.WhenAny(idle, timer);
            if (timer.IsCompletedSuccessfully)
            {
                Assert.Equal(stall, await timer);
                _clock.Advance(stall);
            }
        }

        await idle;
        var idleAt = _sink.Health(Backend).Count;
        resume.SetResult();

        Assert.Equal(StreamEnd.Terminal, (await run.WaitAsync(Timeout)).End);
        Assert.Contains(_sink.Health(Backend).Skip(idleAt), h => h.State == BackendState.Connected);
        Assert.Equal(1, _server!.RequestCount);
    }

    [Fact]
    public async Task A_stall_without_silence_is_idle_reconnects()
    {
        var hold = new TaskCompletionSource();
        await StartServerAsync(async (context, number) =>
        {
            await LoopbackUpstream.BeginStreamAsync(context);
            if (number == 1)
            {
                await LoopbackUpstream.WriteAsync(context, "id: 5\ndata: a\n\n");
                await hold.Task.WaitAsync(context.RequestAborted);
                return;
            }

            await LoopbackUpstream.WriteAsync(context, "data: [DONE]\n\n");
        });
        var decoder = new TestDecoder();
        var stall = TimeSpan.FromSeconds(45);

        var run = Runner.RunAsync(Spec(decoder) with { StallTimeout = stall }, CancellationToken.None);
        await decoder.WaitForItemsAsync(1);
        TimeSpan due;
        while ((due = await _clock.NextTimerAsync(Timeout)) == stall)
        {
            _clock.Advance(stall);
        }

        Assert.Equal(TimeSpan.FromSeconds(1), due);
        _clock.Advance(due);

        Assert.Equal(StreamEnd.Terminal, (await run.WaitAsync(Timeout)).End);
        Assert.Equal(2, _server!.RequestCount);
        Assert.Equal("5", _server!.Requests.Last().LastEventId);
        Assert.Contains("stalled", Health.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspector_ring_stays_bounded_and_counts_what_fell_out()
    {
        _limits.InspectorCapacity = 4;
        await StartServerAsync(async (context, _) =>
        {
            await LoopbackUpstream.BeginStreamAsync(context);
            await LoopbackUpstream.WriteAsync(context, string.Concat(Enumerable.Range(1, 10).Select(i => $"id: {i}\ndata: {i}\n\n")) + "data: [DONE]\n\n");
        });

        await Runner.RunAsync(Spec(new TestDecoder()), CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(["8", "9", "10", "[DONE]"], Monitors.Recent(Backend, 100).Select(r => r.Data));
        Assert.Equal([8L, 9, 10, 11], Monitors.Recent(Backend, 100).Select(r => r.Seq));
        Assert.Equal(7, Monitors.Evicted(Backend));
    }

    [Fact]
    public async Task Secrets_never_reach_the_last_error_or_the_inspector()
    {
        await StartServerAsync(async (context, number) =>
        {
            if (number == 1)
            {
                context.Response.StatusCode = 500;
                await context.Response.WriteAsync($"upstream said: invalid key {ApiKey} for {context.Request.Path}{context.Request.QueryString}");
                return;
            }

            await LoopbackUpstream.BeginStreamAsync(context);
            await LoopbackUpstream.WriteAsync(context, $"id: {ApiKey}\ndata: {{\"echo\":\"{ApiKey}\"}}\n\ndata: [DONE]\n\n");
        });
        var spec = Spec(new TestDecoder(), $"stream?api_key={ApiKey}");

        var run = Runner.RunAsync(spec, CancellationToken.None);
        await _clock.DriveAsync(run, Timeout);

        Assert.Equal(StreamEnd.Terminal, (await run).End);
        Assert.NotNull(Health.LastError);
        Assert.Contains("invalid key " + SecretRedactor.Mask, Health.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, Health.LastError, StringComparison.Ordinal);
        var records = Monitors.Recent(Backend, 10);
        Assert.All(records, r => Assert.DoesNotContain("TOPSECRET", r.Data + r.Id, StringComparison.Ordinal));
        Assert.Contains(SecretRedactor.Mask, records[0].Data, StringComparison.Ordinal);
        Assert.All(_sink.Health(Backend), h => Assert.DoesNotContain("TOPSECRET", h.LastError ?? "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancellation_stops_the_stream_and_the_backend()
    {
        await StartServerAsync(async (context, _) =>
        {
            await LoopbackUpstream.BeginStreamAsync(context);
            await LoopbackUpstream.WriteAsync(context, "data: a\n\n");
            await Task.Delay(System.Threading.Timeout.Infinite, context.RequestAborted);
        });
        var decoder = new TestDecoder();
        using var cts = new CancellationTokenSource();

        var run = Runner.RunAsync(Spec(decoder) with { Lifetime = StreamLifetime.AlwaysOn }, cts.Token);
        await decoder.WaitForItemsAsync(1);
        await cts.CancelAsync();

        Assert.Equal(StreamEnd.Cancelled, (await run.WaitAsync(Timeout)).End);
        Assert.Equal(BackendState.Stopped, Health.State);
    }

    [Fact]
    public async Task On_connected_runs_after_each_connect_and_a_post_body_is_sent_each_attempt()
    {
        var bodies = new List<string>();
        await StartServerAsync(async (context, number) =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            bodies.Add(await reader.ReadToEndAsync());
            await LoopbackUpstream.BeginStreamAsync(context);
            await LoopbackUpstream.WriteAsync(context, number == 1 ? "data: first\n\n" : "data: [DONE]\n\n");
        });
        var connects = 0;
        var spec = Spec(new TestDecoder()) with
        {
            CreateRequest = (attempt, _) => Task.FromResult(new HttpRequestMessage(HttpMethod.Post, new Uri(_server!.Root, "stream"))
            {
                Content = new StringContent($"{{\"attempt\":{attempt.Number}}}", Encoding.UTF8, "application/json"),
            }),
            OnConnectedAsync = _ =>
            {
                connects++;
                return Task.CompletedTask;
            },
        };

        var run = Runner.RunAsync(spec, CancellationToken.None);
        await _clock.DriveAsync(run, Timeout);

        Assert.Equal(StreamEnd.Terminal, (await run).End);
        Assert.Equal(2, connects);
        Assert.Equal(["{\"attempt\":1}", "{\"attempt\":2}"], bodies);
        Assert.All(_server!.Requests, r => Assert.Equal("POST", r.Method));
    }

    [Fact]
    public async Task A_trickle_of_bytes_without_a_complete_event_is_a_stall()
    {
        var sendEvent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sendByte = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await StartServerAsync(async (context, number) =>
        {
            await LoopbackUpstream.BeginStreamAsync(context);
            if (number > 1)
            {
                await LoopbackUpstream.WriteAsync(context, "data: [DONE]\n\n");
                return;
            }

            await sendEvent.Task;
            await LoopbackUpstream.WriteAsync(context, "data: a\n\n");
            await sendByte.Task;
            await LoopbackUpstream.WriteAsync(context, "data: never ending");
            await LoopbackUpstream.HoldOpenAsync(context);
        });
        var decoder = new TestDecoder();
        var stall = TimeSpan.FromSeconds(45);

        var run = Runner.RunAsync(Spec(decoder) with { StallTimeout = stall }, CancellationToken.None);
        Assert.Equal(stall, await _clock.NextTimerAsync(Timeout));
        sendEvent.SetResult();
        await decoder.WaitForItemsAsync(1);
        Assert.Equal(stall, await _clock.NextTimerAsync(Timeout));

        // Bytes arrive 30 s after the event, but no event completes: the stall clock keeps counting from the event.
        _clock.Advance(TimeSpan.FromSeconds(30));
        sendByte.SetResult();
        Assert.Equal(TimeSpan.FromSeconds(15), await _clock.NextTimerAsync(Timeout));
        _clock.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(TimeSpan.FromSeconds(1), await _clock.NextTimerAsync(Timeout));
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(StreamEnd.Terminal, (await run.WaitAsync(Timeout)).End);
        Assert.Equal(2, _server!.RequestCount);
        Assert.Contains("no complete event", Health.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_event_id_over_its_budget_is_cut_in_the_inspector_and_never_sent_back()
    {
        var hugeId = new string('i', 100_000);
        var hugeType = new string('t', 100_000);
        await StartServerAsync(async (context, number) =>
        {
            await LoopbackUpstream.BeginStreamAsync(context);
            await LoopbackUpstream.WriteAsync(context, number == 1
                ? $"id: {hugeId}\nevent: {hugeType}\ndata: a\n\n"
                : "data: [DONE]\n\n");
        });
        var decoder = new TestDecoder();

        var run = Runner.RunAsync(Spec(decoder), CancellationToken.None);
        await _clock.DriveAsync(run, Timeout);

        Assert.Equal(2, _server!.RequestCount);
        Assert.Null(_server.Requests.Last().LastEventId);
        Assert.Equal(1, Health.IdsNotResent);
        Assert.True(Health.ValuesCut >= 2, $"{Health.ValuesCut} values cut");
        var record = Monitors.Recent(Backend, 10)[0];
        Assert.EndsWith("… cut at 1 KB", record.Id, StringComparison.Ordinal);
        Assert.EndsWith("… cut at 1 KB", record.Type, StringComparison.Ordinal);
        Assert.True(Encoding.UTF8.GetByteCount(record.Id) <= _limits.EventIdBytes);
    }

    [Fact]
    public async Task The_inspector_ring_keeps_within_its_byte_budget()
    {
        _limits.InspectorBytes = 64 * 1024;
        _limits.InspectorDataChars = 4096;
        var data = new string('d', 4000);
        await StartServerAsync(async (context, _) =>
        {
            await LoopbackUpstream.BeginStreamAsync(context);
            await LoopbackUpstream.WriteAsync(context, string.Concat(Enumerable.Range(1, 100).Select(i => $"id: {i}\ndata: {data}\n\n")) + "data: [DONE]\n\n");
        });

        await Runner.RunAsync(Spec(new TestDecoder()), CancellationToken.None).WaitAsync(Timeout);

        var kept = Monitors.Recent(Backend, 1000);
        var bytes = kept.Sum(r => 2L * (r.Type.Length + r.Id.Length + r.Data.Length + (r.Note?.Length ?? 0)));
        Assert.True(bytes <= _limits.InspectorBytes, $"{bytes} bytes kept");
        Assert.True(kept.Count >= 5);
        Assert.Equal("[DONE]", kept[^1].Data);
        Assert.Equal(101 - kept.Count, Monitors.Evicted(Backend));
    }
}
