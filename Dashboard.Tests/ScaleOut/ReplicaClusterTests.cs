using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Bunit;
using Dashboard.Backends;
using Dashboard.Components;
using Dashboard.Components.Controls;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.ScaleOut;
using Dashboard.State;
using Dashboard.Storage;
using Dashboard.Testing;
using Dashboard.Tests.Backends.Codegen;
using Dashboard.Tests.LiveApi;
using Dashboard.Tests.Runs;
using Dashboard.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Dashboard.Tests.ScaleOut;

/// <summary>
/// Several replicas of the real app on one PostgreSQL and one Redis: a run started on one is seen
/// live and listed on the others under one sequence and written once; the replica following a
/// codegen run is killed with <c>kill -9</c> and another takes the run over; Redis goes away and
/// comes back.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReplicaClusterTests(PostgresServer postgres, RedisServer redis)
{
    private const string ProcessToken = "cluster-token-0123456789abcdef";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_run_started_on_A_is_listed_by_C_seen_live_on_B_under_one_sequence_and_stored_once()
    {
        var database = await postgres.CreateDatabaseAsync();
        var release = new TaskCompletionSource();
        await using var a = Replica(database, Gated(release));
        await using var b = Replica(database, Gated(release));
        await using var c = Replica(database, Gated(release));
        using var aApi = a.CreateApiClient();
        using var cApi = c.CreateApiClient();
        using var bLive = LiveClients.Http(LiveClients.BaseUri(b));
        await using var sse = await SseConnection.OpenAsync(bLive, "/api/events");

        var onA = new List<SequencedEvent>();
        using var subscription = a.Services.GetRequiredService<IEventHub>().Subscribe(e => e is RunEvent, capacity: 10_000);
        var id = await StartRunAsync(aApi, "alpha");

        await WaitForRunAsync(cApi, id, r => r.GetProperty("text").GetString() == "About ");
        release.TrySetResult();
        var seen = await sse.UntilAsync(e => e.Type == "run.ended" && e.RunId == id);
        var ended = await WaitForRunAsync(cApi, id, r => r.GetProperty("status").GetString() == "completed");
        Assert.Contains("About giraffes", ended, StringComparison.Ordinal);

        while (onA.Count == 0 || onA[^1].Event is not RunEnded)
        {
            onA.Add(await subscription.Events.ReadAsync().AsTask().WaitAsync(Patience));
        }

        // One cluster-wide sequence: B's live-API client got the run's events under the numbers A's own hub gave them.
        var onB = seen.Where(e => e.RunId == id).Select(e => e.Sequence).ToList();
        Assert.Equal(onA.Where(e => ((RunEvent)e.Event).RunId == id).Select(e => e.Sequence).ToList(), onB);
        Assert.Contains(seen, e => e.Type == "run.created" && e.RunId == id);

        // Written once, by the producer, not once per replica.
        foreach (var replica in new[] { a, b, c })
        {
            await replica.Services.GetRequiredService<IHistoryStore>().FlushAsync();
        }

        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*), count(DISTINCT seq) FROM events WHERE run_id = $1;", connection);
        count.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await count.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(onB.Count, reader.GetInt64(0));
        Assert.Equal(onB.Count, reader.GetInt64(1));
    }

    [Fact]
    public async Task A_cancel_asked_of_a_replica_that_does_not_follow_the_run_reaches_the_one_that_does()
    {
        var database = await postgres.CreateDatabaseAsync();
        var never = new TaskCompletionSource();
        await using var a = Replica(database, Gated(never));
        await using var b = Replica(database, Gated(never));
        using var aApi = a.CreateApiClient();
        using var bApi = b.CreateApiClient();
        var id = await StartRunAsync(aApi, "alpha");
        await WaitForRunAsync(bApi, id, r => r.GetProperty("text").GetString() == "About ");

        using var response = await bApi.PostAsync($"/api/runs/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await WaitForRunAsync(aApi, id, r => r.GetProperty("status").GetString() == "cancelled");
        await WaitForRunAsync(bApi, id, r => r.GetProperty("status").GetString() == "cancelled");
    }

    [Fact]
    public async Task The_replica_following_a_codegen_run_is_killed_and_another_re_attaches_within_the_ttl_with_nothing_doubled()
    {
        var database = await postgres.CreateDatabaseAsync();
        var slow = new FakeCodegenUpstream { HoldOpenAfterScript = true };
        slow.Script.Add(FakeCodegenUpstream.Event("connected", "processing", 0.0, "Connected"));
        slow.Script.Add(FakeCodegenUpstream.Event("code_generation", "processing", 0.4, "Writing", "so far"));
        await using var upstream = await LoopbackUpstream.StartAsync(slow.Map);

        // B runs in this process and stays; A is its own process, to be killed.
        await using var b = new TestApp(Settings(database, upstream, ttl: "00:00:02")) { Demo = false };
        using var bApi = b.CreateApiClient();
        string id;
        using (var a = AppProcess.Start("Production", ["--urls", "http://127.0.0.1:0", $"--Dashboard:Auth:Token={ProcessToken}",
            .. Settings(database, upstream, ttl: "00:00:02").Select(s => $"--{s.Key}={s.Value}")]))
        {
            using var aApi = new HttpClient { BaseAddress = new Uri(await a.BaseUrlAsync()) };
            aApi.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ProcessToken);
            id = await StartRunAsync(aApi, "slow");
            // Seen on B, live, while A follows it.
            await WaitForRunAsync(bApi, id, r => r.GetProperty("text").GetString() == "so far");
            Assert.False(b.Services.GetRequiredService<Dashboard.Runs.RunManager>().IsFollowing(id));

            a.SendSigkill();
            Assert.NotEqual(0, await a.WaitForExitAsync(Patience));
        }

        slow.HoldOpenAfterScript = false;
        slow.Script.Add(FakeCodegenUpstream.Event("complete", "completed", 1.0, "Done", "slow output"));

        var resumed = await WaitForRunAsync(bApi, id, r => r.GetProperty("status").GetString() is not ("pending" or "running"));
        using var doc = JsonDocument.Parse(resumed);
        Assert.Equal("completed", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal("slow output", doc.RootElement.GetProperty("text").GetString());
        Assert.Equal(1, slow.Log.Count(l => l == "generate"));
        Assert.Single(doc.RootElement.GetProperty("timeline").EnumerateArray(), t => t.GetProperty("stage").GetString() == "code_generation");
        Assert.Contains(b.LogLines, l => l.Contains($"Run {id} on slow had no follower: re-attached by this replica", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_redis_gone_replicas_serve_and_say_so_refuse_new_runs_and_share_again_once_it_is_back()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var a = Replica(database, Gated(null));
        await using var b = Replica(database, Gated(null));
        using var aApi = a.CreateApiClient();
        using var bApi = b.CreateApiClient();
        var before = await StartRunAsync(aApi, "alpha");
        await WaitForRunAsync(bApi, before, r => r.GetProperty("status").GetString() == "completed");

        await redis.StopAsync();
        try
        {
            using var deadline = new CancellationTokenSource(Patience);
            string ready;
            do
            {
                ready = await aApi.GetStringAsync("/readyz", deadline.Token);
            }
            while (!ready.Contains("\"name\": \"redis\"", StringComparison.Ordinal) || !ready.Contains("unreachable", StringComparison.Ordinal));

            Assert.Contains("\"status\": \"Degraded\"", ready, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await bApi.GetAsync($"/api/runs/{before}")).StatusCode);
            using var refused = await aApi.PostAsync("/api/runs", Json(new { backend = "alpha", prompt = "while redis is away" }));
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        }
        finally
        {
            await redis.StartAgainAsync();
        }

        // Back: a run started on A (retried while the connection comes back) is seen on B again.
        string after;
        using (var deadline = new CancellationTokenSource(Patience))
        {
            while (true)
            {
                using var response = await aApi.PostAsync("/api/runs", Json(new { backend = "alpha", prompt = "About giraffes" }), deadline.Token);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(deadline.Token));
                    after = body.RootElement.GetProperty("id").GetString()!;
                    break;
                }

                Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
                await Task.Delay(100, deadline.Token);
            }
        }

        await WaitForRunAsync(bApi, after, r => r.GetProperty("status").GetString() == "completed");
        using var list = JsonDocument.Parse(await bApi.GetStringAsync("/api/runs"));
        Assert.Contains(list.RootElement.EnumerateArray(), r => r.GetProperty("id").GetString() == before);
    }

    [Fact]
    public async Task The_replica_following_the_graph_stream_is_killed_and_another_takes_the_stream_over_with_stats_arriving_again()
    {
        var database = await postgres.CreateDatabaseAsync();
        // Leases are per backend name: a name of its own keeps this test apart from the others on the shared Redis.
        var backend = "dreamer-" + Guid.NewGuid().ToString("N")[..8];
        var graph = new GraphUpstream();
        await using var upstream = await LoopbackUpstream.StartAsync(graph.Map);
        var settings = new Dictionary<string, string?>
        {
            ["Dashboard:Storage:Provider"] = "postgres",
            ["ConnectionStrings:Dashboard"] = database,
            ["Dashboard:ScaleOut:Redis"] = redis.ConnectionString,
            ["Dashboard:ScaleOut:LeaseTtl"] = "00:00:02",
            ["Dashboard:Backends:0:Name"] = backend,
            ["Dashboard:Backends:0:Kind"] = "codedreamer",
            ["Dashboard:Backends:0:BaseUrl"] = upstream.BaseUrl,
        };

        using var a = AppProcess.Start("Production", ["--urls", "http://127.0.0.1:0", $"--Dashboard:Auth:Token={ProcessToken}", .. settings.Select(s => $"--{s.Key}={s.Value}")]);
        // A started alone: the stream's first connection is A's.
        Assert.Equal(1, await graph.OpenedAsync());
        await using var b = new TestApp(settings) { Demo = false };
        _ = b.BaseUrl;
        using var onB = b.Services.GetRequiredService<IEventHub>().Subscribe(e => e is GraphStatsObserved g && g.Backend == backend, capacity: 1_000);

        // Stats A ingests reach B's hub through the shared stream; B does not follow the stream itself.
        graph.Send(1, 111);
        await NodesAsync(onB, 111);
        Assert.DoesNotContain(b.LogLines, l => l.Contains($"Always-on stream of {backend}: this replica follows it", StringComparison.Ordinal));

        a.SendSigkill();
        Assert.NotEqual(0, await a.WaitForExitAsync(Patience));

        // A's lease expires unrenewed; B takes the stream over and connects to the upstream itself.
        Assert.Equal(2, await graph.OpenedAsync());
        graph.Send(2, 222);
        await NodesAsync(onB, 222);
        Assert.Contains(b.LogLines, l => l.Contains($"Always-on stream of {backend}: this replica follows it", StringComparison.Ordinal));
        var holder = await redis.GetAsync(RedisLeases.KeyOf(FollowLeaseKeys.Stream(backend)).ToString());
        Assert.StartsWith(b.Services.GetRequiredService<RedisCoordinator>().ReplicaId + ":", holder ?? "", StringComparison.Ordinal);
        Assert.Equal(222, b.Services.GetRequiredService<IDashboardState>().GetGraph(backend)?.Nodes);
    }

    [Fact]
    public async Task With_postgres_gone_replicas_go_on_say_history_is_behind_and_write_every_finished_run_once_it_is_back()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var a = Replica(database, Gated(null));
        await using var b = Replica(database, Gated(null));
        using var aApi = a.CreateApiClient();
        using var bApi = b.CreateApiClient();
        var before = await StartRunAsync(aApi, "alpha");
        await WaitForRunAsync(bApi, before, r => r.GetProperty("status").GetString() == "completed");
        Assert.DoesNotContain("History is behind", await aApi.GetStringAsync("/readyz"), StringComparison.Ordinal);

        // The warning every page of A carries above its content (the layout's history panel), read from A's own store.
        await using var pages = new BunitContext();
        pages.JSInterop.Mode = JSRuntimeMode.Loose;
        pages.Services.AddDashboardComponents();
        pages.Services.AddSingleton(a.Services.GetRequiredService<IHistoryStore>());
        pages.Services.AddSingleton(TimeProvider.System);
        var panel = pages.Render<HistoryPanel>();
        Assert.Empty(panel.FindAll("[data-history]"));

        string during;
        await postgres.StopAsync();
        try
        {
            // Runs go on while the database is away: started on A, seen finished on B (from memory).
            during = await StartRunAsync(aApi, "alpha");
            await WaitForRunAsync(bApi, during, r => r.GetProperty("status").GetString() == "completed");

            // A, which produced the run's events, holds them and says so.
            var ready = await ReadyUntilAsync(aApi, r => r.Contains("History is behind", StringComparison.Ordinal));
            Assert.Contains("\"status\": \"Degraded\"", ready, StringComparison.Ordinal);
            panel.WaitForAssertion(() => Assert.Contains("History is behind", panel.Find("[data-history='behind']").TextContent, StringComparison.Ordinal), Patience);
            Assert.Contains("events wait to be written", panel.Markup, StringComparison.Ordinal);
            Assert.DoesNotContain("Password", panel.Markup, StringComparison.OrdinalIgnoreCase);

            // Meanwhile lists and searches answer from memory at once: no read waits for the writer or the database.
            using (var quick = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                using var listed = JsonDocument.Parse(await aApi.GetStringAsync("/api/runs", quick.Token));
                Assert.Contains(listed.RootElement.EnumerateArray(), r => r.GetProperty("id").GetString() == during);
                using var found = JsonDocument.Parse(await aApi.GetStringAsync("/api/runs?q=giraffes", quick.Token));
                Assert.Contains(found.RootElement.EnumerateArray(), r => r.GetProperty("id").GetString() == during);

                // Writes that need the database answer 503 with a Retry-After, and change nothing.
                foreach (var (method, path) in new[] { (HttpMethod.Post, $"/api/runs/{before}/pin"), (HttpMethod.Delete, $"/api/runs/{before}"), (HttpMethod.Delete, "/api/runs") })
                {
                    using var refused = await aApi.SendAsync(new HttpRequestMessage(method, path), quick.Token);
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                    Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
                    Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
                    Assert.DoesNotContain("Password", await refused.Content.ReadAsStringAsync(quick.Token), StringComparison.OrdinalIgnoreCase);
                }

                Assert.Equal(HttpStatusCode.OK, (await aApi.GetAsync($"/api/runs/{before}", quick.Token)).StatusCode);
            }
            Assert.Equal(HttpStatusCode.OK, (await bApi.GetAsync($"/api/runs/{before}")).StatusCode);
        }
        finally
        {
            await postgres.StartAgainAsync();
        }

        // Back: the held batch is written (retried with backoff) and the warning goes.
        await ReadyUntilAsync(aApi, r => !r.Contains("History is behind", StringComparison.Ordinal));
        panel.WaitForAssertion(() => Assert.Empty(panel.FindAll("[data-history]")), Patience);
        await a.Services.GetRequiredService<IHistoryStore>().FlushAsync();
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        foreach (var id in new[] { before, during })
        {
            await using var run = new NpgsqlCommand("SELECT status FROM runs WHERE id = $1;", connection);
            run.Parameters.Add(new NpgsqlParameter { Value = id });
            Assert.Equal("completed", await run.ExecuteScalarAsync());
            await using var events = new NpgsqlCommand("SELECT count(*), count(DISTINCT seq) FROM events WHERE run_id = $1;", connection);
            events.Parameters.Add(new NpgsqlParameter { Value = id });
            await using var reader = await events.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.True(reader.GetInt64(0) > 0);
            Assert.Equal(reader.GetInt64(0), reader.GetInt64(1));
        }
    }

    [Fact]
    public async Task A_sign_in_cookie_issued_by_one_replica_is_accepted_by_another_and_no_key_is_logged()
    {
        var database = await postgres.CreateDatabaseAsync();
        // Each replica its own home: without the shared key ring each would make and keep keys of its own there.
        var homes = new[] { Directory.CreateTempSubdirectory("dashboard-home-a-").FullName, Directory.CreateTempSubdirectory("dashboard-home-b-").FullName };
        try
        {
            string[] arguments =
            [
                "--urls", "http://127.0.0.1:0", $"--Dashboard:Auth:Token={ProcessToken}",
                "--Dashboard:Storage:Provider=postgres", $"--ConnectionStrings:Dashboard={database}",
                $"--Dashboard:ScaleOut:Redis={redis.ConnectionString}", "--Dashboard:Demo:Enabled=false",
            ];
            using var a = AppProcess.Start("Production", arguments, Home(homes[0]));
            using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false };
            using var http = new HttpClient(handler);
            using var signIn = await http.GetAsync(await a.SignInLinkAsync());
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
            var cookie = signIn.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith(".Dashboard.Auth=", StringComparison.Ordinal));

            using var b = AppProcess.Start("Production", arguments, Home(homes[1]));
            var bBase = await b.BaseUrlAsync();
            using var withoutCookie = await http.GetAsync(bBase + "/runs");
            Assert.Equal(HttpStatusCode.Redirect, withoutCookie.StatusCode);
            using var request = new HttpRequestMessage(HttpMethod.Get, bBase + "/runs");
            request.Headers.Add("Cookie", cookie);
            using var moved = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);

            // The key ring is in the database, and its secret never reached either replica's output.
            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            await using var keys = new NpgsqlCommand("SELECT xml FROM data_protection_keys;", connection);
            var secrets = new List<string>();
            await using (var reader = await keys.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    secrets.AddRange(System.Xml.Linq.XElement.Parse(reader.GetString(0)).Descendants("value").Select(v => v.Value));
                }
            }

            Assert.NotEmpty(secrets);
            foreach (var replica in new[] { a, b })
            {
                var transcript = replica.Transcript();
                Assert.All(secrets, secret => Assert.DoesNotContain(secret, transcript, StringComparison.Ordinal));
            }
        }
        finally
        {
            foreach (var home in homes)
            {
                Directory.Delete(home, recursive: true);
            }
        }
    }

    private static Dictionary<string, string> Home(string folder) => new()
    {
        ["HOME"] = folder,
        ["XDG_DATA_HOME"] = Path.Combine(folder, ".local", "share"),
        ["LOCALAPPDATA"] = Path.Combine(folder, ".local", "share"),
    };

    private static async Task<string> ReadyUntilAsync(HttpClient client, Func<string, bool> done)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            var ready = await client.GetStringAsync("/readyz", deadline.Token);
            if (done(ready))
            {
                return ready;
            }

            await Task.Delay(100, deadline.Token);
        }
    }

    private static async Task NodesAsync(Dashboard.Events.HubSubscription subscription, int nodes)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (((GraphStatsObserved)(await subscription.Events.ReadAsync(deadline.Token)).Event).Stats.Nodes != nodes)
        {
        }
    }

    /// <summary>A CodeDreamer upstream whose stream connections are numbered; a test sends a node count down the connection it names.</summary>
    private sealed class GraphUpstream
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<int, System.Threading.Channels.Channel<int>> _streams = new();
        private readonly System.Threading.Channels.Channel<int> _opened = System.Threading.Channels.Channel.CreateUnbounded<int>();
        private int _connections;
        private int _snapshots;

        public void Map(WebApplication app)
        {
            app.MapGet("/graph/stats", async context =>
                await LoopbackUpstream.JsonAsync(context, 200, $$"""{"total_nodes": {{Interlocked.Increment(ref _snapshots)}}, "total_edges": 1, "avg_entanglement": 1.0}"""));
            app.MapGet("/events", async context =>
            {
                var n = Interlocked.Increment(ref _connections);
                var mine = Stream(n);
                await LoopbackUpstream.BeginStreamAsync(context);
                _opened.Writer.TryWrite(n);
                try
                {
                    await foreach (var nodes in mine.Reader.ReadAllAsync(context.RequestAborted))
                    {
                        await LoopbackUpstream.WriteAsync(context, $$"""data: {"type": "update", "nodes": {{nodes}}}""" + "\n\n");
                    }
                }
                catch (OperationCanceledException)
                {
                    // The replica went away.
                }
            });
        }

        public async Task<int> OpenedAsync() => await _opened.Reader.ReadAsync().AsTask().WaitAsync(Patience);

        public void Send(int connection, int nodes) => Stream(connection).Writer.TryWrite(nodes);

        private System.Threading.Channels.Channel<int> Stream(int connection) => _streams.GetOrAdd(connection, _ => System.Threading.Channels.Channel.CreateUnbounded<int>());
    }

    internal static TestBackendKind Gated(TaskCompletionSource? release) => new("test-runs")
    {
        Run = async (run, token) =>
        {
            run.AssignUpstreamId("up-" + run.RunId);
            run.Stage("generating", StageStatus.Running, "halfway", 0.5);
            run.Sink.Publish(new RunTextReceived { Backend = run.Backend, At = run.Clock.GetUtcNow(), RunId = run.RunId, Text = "About " });
            if (release is not null)
            {
                await release.Task.WaitAsync(token);
            }

            run.Sink.Publish(new RunTextReceived { Backend = run.Backend, At = run.Clock.GetUtcNow(), RunId = run.RunId, Text = "giraffes" });
            run.Stage("generating", StageStatus.Completed, "done", 1);
            run.End(RunStatus.Completed);
        },
    };

    private TestApp Replica(string database, TestBackendKind kind) => new(new Dictionary<string, string?>
    {
        ["Dashboard:Storage:Provider"] = "postgres",
        ["ConnectionStrings:Dashboard"] = database,
        ["Dashboard:ScaleOut:Redis"] = redis.ConnectionString,
        // These tests wait on no lease running out: a TTL that a loaded two-core machine cannot
        // lose by a late renewal (Redis timeouts are a third of it); the take-over tests use 2 s.
        ["Dashboard:ScaleOut:LeaseTtl"] = "00:00:06",
        ["Dashboard:Backends:0:Name"] = "alpha",
        ["Dashboard:Backends:0:Kind"] = "test-runs",
    })
    {
        Demo = false,
        QuietLogs = true,
        Kinds = [kind],
    };

    private Dictionary<string, string?> Settings(string database, LoopbackUpstream upstream, string ttl) => new()
    {
        ["Dashboard:Storage:Provider"] = "postgres",
        ["ConnectionStrings:Dashboard"] = database,
        ["Dashboard:ScaleOut:Redis"] = redis.ConnectionString,
        ["Dashboard:ScaleOut:LeaseTtl"] = ttl,
        ["Dashboard:Backends:0:Name"] = "slow",
        ["Dashboard:Backends:0:Kind"] = "codegen",
        ["Dashboard:Backends:0:BaseUrl"] = upstream.BaseUrl,
        ["Dashboard:Backends:0:Username"] = FakeCodegenUpstream.User,
        ["Dashboard:Backends:0:Password"] = FakeCodegenUpstream.Password,
    };

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");

    private static async Task<string> StartRunAsync(HttpClient client, string backend)
    {
        using var response = await client.PostAsync("/api/runs", Json(new { backend, prompt = "About giraffes" }));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("id").GetString()!;
    }

    internal static async Task<string> WaitForRunAsync(HttpClient client, string id, Func<JsonElement, bool> done)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            using var response = await client.GetAsync($"/api/runs/{id}", deadline.Token);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var json = await response.Content.ReadAsStringAsync(deadline.Token);
                using var run = JsonDocument.Parse(json);
                if (done(run.RootElement))
                {
                    return json;
                }
            }

            // Polling the API as a script would; each answer is a fresh read.
            await Task.Delay(20, deadline.Token);
        }
    }
}
