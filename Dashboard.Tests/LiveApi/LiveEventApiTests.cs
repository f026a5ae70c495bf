using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dashboard.Domain;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.LiveApi;

/// <summary>The live event contract on SSE and on SignalR (JSON and MessagePack), resume, filters and access rules.</summary>
public sealed class LiveEventApiTests(LiveApiFixture fixture) : IClassFixture<LiveApiFixture>
{
    public static TheoryData<string> Transports => new() { "sse", "json", "messagepack" };

    private async Task<(Func<Task<Received>> Next, IAsyncDisposable Connection)> OpenAsync(
        string transport, long? from = null, string? instance = null, string[]? backends = null, string? runId = null, string? lastEventId = null)
    {
        if (transport == "sse")
        {
            var query = new List<string>();
            if (from is not null)
            {
                query.Add($"from={from}");
            }

            if (instance is not null)
            {
                query.Add($"instance={instance}");
            }

            query.AddRange((backends ?? []).Select(b => $"backend={Uri.EscapeDataString(b)}"));
            if (runId is not null)
            {
                query.Add($"run={Uri.EscapeDataString(runId)}");
            }

            var sse = await SseConnection.OpenAsync(fixture.Http, "api/events?" + string.Join("&", query), lastEventId);
            return (async () => await sse.NextAsync() ?? throw new InvalidOperationException("stream ended"), sse);
        }

        var hub = LiveClients.Hub(fixture.BaseUri, messagePack: transport == "messagepack");
        await hub.StartAsync();
        var subscription = HubSubscription.Open(hub, new { backends, runId, fromSequence = from, instance });
        return (subscription.NextAsync, new Both(subscription, hub));
    }

    private static async Task<List<Received>> Until(Func<Task<Received>> next, Func<Received, bool> stop)
    {
        var list = new List<Received>();
        while (true)
        {
            var e = await next();
            list.Add(e);
            if (stop(e))
            {
                return list;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Every_event_type_follows_the_contract_and_output_deltas_rebuild_the_run_text(string transport)
    {
        var backend = "contract-" + transport;
        var runId = "run-contract-" + transport;
        var (next, connection) = await OpenAsync(transport, from: fixture.Replay.LastSequence, instance: fixture.Replay.Instance, backends: [backend]);
        await using (connection)
        {
            ContractScript.Publish(fixture.Sink, backend, runId);
            var events = await Until(next, e => e.Type == "run.ended");

            ContractScript.AssertContract(events, backend, runId);
            if (transport == "sse")
            {
                Assert.All(events, e => Assert.Equal(e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Id));
            }

            var run = await fixture.Http.GetFromJsonAsync<JsonElement>($"api/runs/{runId}");
            Assert.Equal(run.GetProperty("text").GetString(), ContractScript.Rebuild(events, "output"));
            Assert.Equal(run.GetProperty("thinking").GetString(), ContractScript.Rebuild(events, "thinking"));
        }
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Without_a_cursor_a_snapshot_comes_first_then_one_text_snapshot_per_channel_per_run_in_flight(string transport)
    {
        var backend = "snap-" + transport;
        var runId = "run-snap-" + transport;
        var at = DateTimeOffset.UtcNow;
        fixture.Sink.Publish(new GraphStatsObserved { Backend = backend, At = at, Stats = new GraphStats(5, 4, null, new Dictionary<string, int>(), new Dictionary<string, int>()) });
        fixture.Sink.Publish(new RunCreated { Backend = backend, At = at, RunId = runId, Prompt = "p" });
        fixture.Sink.Publish(new RunTextReceived { Backend = backend, At = at, RunId = runId, Text = "partial " });
        fixture.Sink.Publish(new RunTextReceived { Backend = backend, At = at, RunId = runId, Text = "think", Channel = TextChannel.Thinking });
        var published = fixture.Replay.LastSequence;

        var (next, connection) = await OpenAsync(transport, backends: [backend]);
        await using (connection)
        {
            var snapshot = await next();
            Assert.Equal("snapshot", snapshot.Type);
            Assert.Equal(fixture.Replay.Instance, snapshot.Str("instance"));
            var last = snapshot.Data.GetProperty("lastSequence").GetInt64();
            Assert.True(last >= published);
            Assert.Equal(last, snapshot.Sequence);
            Assert.Empty(snapshot.Data.GetProperty("backends").EnumerateArray()); // no health reported for it, not configured
            var graph = Assert.Single(snapshot.Data.GetProperty("graph").EnumerateArray());
            Assert.Equal(5, graph.GetProperty("nodes").GetInt32());
            var run = Assert.Single(snapshot.Data.GetProperty("runs").EnumerateArray());
            Assert.Equal(runId, run.GetProperty("id").GetString());
            Assert.Equal("running", run.GetProperty("status").GetString());
            Assert.Equal("", run.GetProperty("text").GetString()); // texts follow, one message each

            var output = await next();
            var thinking = await next();
            Assert.Equal(("run.text", runId, "output", "partial "), (output.Type, output.RunId, output.Str("channel"), output.Str("snapshot")));
            Assert.Equal(("run.text", runId, "thinking", "think"), (thinking.Type, thinking.RunId, thinking.Str("channel"), thinking.Str("snapshot")));
            Assert.All(new[] { output, thinking }, e => Assert.Equal(last, e.Sequence));
            if (transport == "sse")
            {
                // Resumable only after the whole group.
                Assert.False(snapshot.HasId);
                Assert.False(output.HasId);
                Assert.Equal(last.ToString(System.Globalization.CultureInfo.InvariantCulture), thinking.Id);
            }

            fixture.Sink.Publish(new RunEnded { Backend = backend, At = at, RunId = runId, Status = RunStatus.Failed, Error = "broke" });
            var ended = await next();
            Assert.Equal("run.ended", ended.Type);
            Assert.True(ended.Sequence > last);
            Assert.Equal(("failed", "broke"), (ended.Str("status"), ended.Str("error")));
        }
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_cursor_above_the_last_sequence_or_from_another_instance_gets_a_snapshot(string transport)
    {
        foreach (var (from, instance) in new (long, string?)[] { (fixture.Replay.LastSequence + 1000, null), (fixture.Replay.LastSequence, "another-instance") })
        {
            var (next, connection) = await OpenAsync(transport, from: from, instance: instance, backends: ["nothing-here"]);
            await using (connection)
            {
                var first = await next();
                Assert.Equal("snapshot", first.Type);
                Assert.Equal(fixture.Replay.Instance, first.Str("instance"));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Resuming_after_a_cut_connection_delivers_every_later_event_exactly_once_in_order(string transport)
    {
        var backend = "resume-" + transport;
        var start = fixture.Replay.LastSequence;
        var (next, connection) = await OpenAsync(transport, from: start, instance: fixture.Replay.Instance, backends: [backend]);
        List<Received> before;
        await using (connection)
        {
            ContractScript.Publish(fixture.Sink, backend, backend + "-1");
            before = [await next(), await next(), await next(), await next(), await next()];
        }

        // More happens while the client is away.
        ContractScript.Publish(fixture.Sink, backend, backend + "-2");
        var cursor = before[^1].Sequence;
        (next, connection) = transport == "sse"
            // The header wins over ?from= (a browser reconnects with its original URL): from=0 would replay the first five again.
            ? await OpenAsync(transport, from: 0, backends: [backend], lastEventId: cursor.ToString(System.Globalization.CultureInfo.InvariantCulture))
            : await OpenAsync(transport, from: cursor, instance: fixture.Replay.Instance, backends: [backend]);
        await using (connection)
        {
            var after = await Until(next, e => e.Type == "run.ended" && e.RunId == backend + "-2");
            var all = before.Concat(after).ToList();
            Assert.Equal(ContractScript.Types.Concat(ContractScript.Types), all.Select(e => e.Type));
            Assert.Equal(all.Count, all.Select(e => (e.Sequence, e.Type, e.Data.GetRawText())).Distinct().Count());
            Assert.Equal(all.OrderBy(e => e.Sequence).Select(e => e.Sequence), all.Select(e => e.Sequence));
            ContractScript.AssertContract(all[..14], backend, backend + "-1");
            ContractScript.AssertContract(all[14..], backend, backend + "-2");
        }
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Filters_select_backends_and_one_run(string transport)
    {
        var tag = "filter-" + transport;
        var start = fixture.Replay.LastSequence;
        ContractScript.Publish(fixture.Sink, tag + "-a", tag + "-a-run");
        ContractScript.Publish(fixture.Sink, tag + "-c", tag + "-c-run");
        ContractScript.Publish(fixture.Sink, tag + "-b", tag + "-b-run");

        var (next, connection) = await OpenAsync(transport, from: start, backends: [tag + "-a", tag + "-b"]);
        await using (connection)
        {
            var events = await Until(next, e => e.Type == "run.ended" && e.Backend == tag + "-b");
            Assert.Equal(ContractScript.Types.Length * 2, events.Count);
            Assert.Equal([tag + "-a", tag + "-b"], events.Select(e => e.Backend!).Distinct());
        }

        (next, connection) = await OpenAsync(transport, from: start, runId: tag + "-c-run");
        await using (connection)
        {
            var events = await Until(next, e => e.Type == "run.ended");
            Assert.All(events, e => Assert.Equal(tag + "-c-run", e.RunId));
            Assert.Equal(ContractScript.Types.Skip(2), events.Select(e => e.Type));
        }
    }

    [Fact]
    public async Task A_client_that_does_not_read_lags_without_losing_anything()
    {
        var backend = "lagging";
        var start = fixture.Replay.LastSequence;
        await using var sse = await SseConnection.OpenAsync(fixture.Http, $"api/events?from={start}&backend={backend}");
        var at = DateTimeOffset.UtcNow;
        fixture.Sink.Publish(new RunCreated { Backend = backend, At = at, RunId = "lag", Prompt = "p" });
        for (var i = 0; i < 2000; i++)
        {
            fixture.Sink.Publish(new RunTextReceived { Backend = backend, At = at, RunId = "lag", Text = i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "," });
        }

        fixture.Sink.Publish(new RunEnded { Backend = backend, At = at, RunId = "lag", Status = RunStatus.Completed });
        var events = await sse.UntilAsync(e => e.Type == "run.ended");
        Assert.Equal(2002, events.Count);
        Assert.Equal(string.Concat(Enumerable.Range(0, 2000).Select(i => i + ",")), ContractScript.Rebuild(events, "output"));
    }

    [Fact]
    public async Task Info_names_the_instance_the_version_and_the_replay_window()
    {
        fixture.Sink.Publish(new GraphStatsObserved { Backend = "info", At = DateTimeOffset.UtcNow, Stats = new GraphStats(1, null, null, new Dictionary<string, int>(), new Dictionary<string, int>()) });
        var info = await fixture.Http.GetFromJsonAsync<JsonElement>("api/info");
        Assert.Equal(fixture.Replay.Instance, info.GetProperty("instance").GetString());
        Assert.Matches(@"^\d+\.\d+", info.GetProperty("version").GetString());
        Assert.True(info.GetProperty("lastSequence").GetInt64() >= 1);
        // The hub's sequence starts where the history store says (the memory store: the start time in µs).
        Assert.Equal(fixture.Replay.FirstSequence, info.GetProperty("replayWindowFromSequence").GetInt64());
        Assert.Equal(32, fixture.Replay.Instance.Length);
    }

    [Theory]
    [InlineData("api/events?from=abc", null, "from")]
    [InlineData("api/events?from=-3", null, "from")]
    [InlineData("api/events?from=3", "x1", "Last-Event-ID")]
    public async Task Bad_parameters_get_400_problem_json(string url, string? lastEventId, string field)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var response = await fixture.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token")]
    public async Task Without_the_token_both_transports_answer_401(string? token)
    {
        using var http = LiveClients.Http(fixture.BaseUri, token);
        using var sse = await http.GetAsync("api/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.Unauthorized, sse.StatusCode);

        using var negotiate = await http.PostAsync("hubs/events/negotiate?negotiateVersion=1", null);
        Assert.Equal(HttpStatusCode.Unauthorized, negotiate.StatusCode);

        using var anonymous = LiveClients.Http(fixture.BaseUri, token: null);
        using var query = await anonymous.PostAsync($"hubs/events/negotiate?negotiateVersion=1&access_token={token ?? ""}", null);
        Assert.Equal(HttpStatusCode.Unauthorized, query.StatusCode);

        await using var hub = LiveClients.Hub(fixture.BaseUri, messagePack: false, token);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => hub.StartAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task The_hub_takes_the_token_as_access_token_and_refuses_a_foreign_origin()
    {
        using var anonymous = LiveClients.Http(fixture.BaseUri, token: null);
        using var viaQuery = await anonymous.PostAsync($"hubs/events/negotiate?negotiateVersion=1&access_token={Dashboard.Testing.TestApp.Token}", null);
        Assert.Equal(HttpStatusCode.OK, viaQuery.StatusCode);

        foreach (var (origin, expected) in new[] { ("http://evil.example", HttpStatusCode.Forbidden), (fixture.BaseUri.GetLeftPart(UriPartial.Authority), HttpStatusCode.OK) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "hubs/events/negotiate?negotiateVersion=1");
            request.Headers.Add("Origin", origin);
            using var response = await fixture.Http.SendAsync(request);
            Assert.Equal(expected, response.StatusCode);
        }
    }

    [Fact]
    public async Task GetSnapshot_returns_the_snapshot_data()
    {
        await using var hub = LiveClients.Hub(fixture.BaseUri, messagePack: false);
        await hub.StartAsync();
        var snapshot = await hub.InvokeAsync<JsonElement>("GetSnapshot");
        Assert.Equal(fixture.Replay.Instance, snapshot.GetProperty("instance").GetString());
        Assert.True(snapshot.GetProperty("lastSequence").GetInt64() <= fixture.Replay.LastSequence);
        Assert.Contains(snapshot.GetProperty("backends").EnumerateArray(), b => b.GetProperty("name").GetString() == "alpha");
    }

    [Fact]
    public void The_circuit_hub_does_not_take_the_event_hubs_protocols()
    {
        var componentHub = typeof(Microsoft.AspNetCore.Components.Server.CircuitOptions).Assembly.GetType("Microsoft.AspNetCore.Components.Server.ComponentHub", throwOnError: true)!;
        var optionsType = typeof(IOptions<>).MakeGenericType(typeof(HubOptions<>).MakeGenericType(componentHub));
        var circuit = (HubOptions)optionsType.GetProperty("Value")!.GetValue(fixture.Server.Services.GetRequiredService(optionsType))!;
        Assert.Equal(["blazorpack"], circuit.SupportedProtocols ?? []);
    }

    [Fact]
    public void The_event_hubs_stateful_reconnect_window_is_its_own_and_the_circuits_is_unchanged()
    {
        // SignalR's default window (100,000 bytes, acknowledged about once a second) held each subscriber near 100 KB/s.
        var events = fixture.Server.Services.GetRequiredService<IOptions<HubOptions<Dashboard.LiveApi.LiveEventsHub>>>().Value;
        Assert.Equal(new Dashboard.LiveApi.LiveApiOptions().StatefulReconnectBufferBytes, events.StatefulReconnectBufferSize);
        Assert.Equal(1024 * 1024, events.StatefulReconnectBufferSize);
        var componentHub = typeof(Microsoft.AspNetCore.Components.Server.CircuitOptions).Assembly.GetType("Microsoft.AspNetCore.Components.Server.ComponentHub", throwOnError: true)!;
        var optionsType = typeof(IOptions<>).MakeGenericType(typeof(HubOptions<>).MakeGenericType(componentHub));
        var circuit = (HubOptions)optionsType.GetProperty("Value")!.GetValue(fixture.Server.Services.GetRequiredService(optionsType))!;
        Assert.Equal(new HubOptions().StatefulReconnectBufferSize, circuit.StatefulReconnectBufferSize);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Long_texts_arrive_whole_in_parts_on_SignalR(bool messagePack)
    {
        var backend = "long-" + messagePack;
        var start = fixture.Replay.LastSequence;
        await using var hub = LiveClients.Hub(fixture.BaseUri, messagePack);
        await hub.StartAsync();
        await using var subscription = HubSubscription.Open(hub, new { backends = new[] { backend }, fromSequence = start, instance = fixture.Replay.Instance });
        var at = DateTimeOffset.UtcNow;
        fixture.Sink.Publish(new RunCreated { Backend = backend, At = at, RunId = backend, Prompt = "p" });
        var expected = new System.Text.StringBuilder();
        for (var i = 0; i < 12; i++)
        {
            var text = new string((char)('a' + i), 300_000);
            expected.Append(text);
            fixture.Sink.Publish(new RunTextReceived { Backend = backend, At = at, RunId = backend, Text = text });
        }

        fixture.Sink.Publish(new RunEnded { Backend = backend, At = at, RunId = backend, Status = RunStatus.Completed });
        var events = await subscription.UntilAsync(e => e.Type == "run.ended");
        Assert.Equal(expected.ToString(), ContractScript.Rebuild(events, "output"));
        Assert.All(events, e => Assert.True(e.Type != "run.text" || e.Str("delta")!.Length <= Dashboard.LiveApi.LiveEventMapper.MaxChunkChars));
    }

    private sealed class Both(IAsyncDisposable first, IAsyncDisposable second) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await first.DisposeAsync();
            await second.DisposeAsync();
        }
    }
}
