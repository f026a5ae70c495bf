using System.Text.Json;
using Dashboard.Backends;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Testing;
using Dashboard.Tests.Runs;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.LiveApi;

/// <summary>
/// One real app on a real socket for the live API tests. Tests publish domain events straight into
/// its hub (as a decoder would) under backend names of their own, and filter by them, so tests
/// sharing the app do not see each other's events. "alpha" is a real backend whose runs stream
/// "Hello, world" (for the README example).
/// </summary>
public sealed class LiveApiFixture : IAsyncLifetime
{
    public const string Secret = "alpha-secret-pw";

    private TestApp? _server;

    internal TestApp Server => _server!;

    public Uri BaseUri { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public IDomainEventSink Sink => Server.Services.GetRequiredService<IDomainEventSink>();

    public IEventReplay Replay => Server.Services.GetRequiredService<IEventReplay>();

    public Task InitializeAsync()
    {
        _server = new TestApp(
            new Dictionary<string, string?>
            {
                ["Dashboard:Backends:0:Name"] = "alpha",
                ["Dashboard:Backends:0:Kind"] = "test-runs",
                ["Dashboard:Backends:0:Password"] = Secret,
            })
        {
            Demo = false,
            Kinds = [new TestBackendKind("test-runs")
            {
                Run = async (run, ct) =>
                {
                    run.Stage("generating", StageStatus.Running, "writing", 0.5);
                    foreach (var piece in new[] { "Hello", ", ", "world" })
                    {
                        await Task.Yield();
                        run.Sink.Publish(new RunTextReceived { Backend = run.Backend, At = run.Clock.GetUtcNow(), RunId = run.RunId, Text = piece });
                    }

                    run.End(RunStatus.Completed);
                },
            }],
        };
        BaseUri = LiveClients.BaseUri(_server);
        Http = LiveClients.Http(BaseUri);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>A complete run of every event type, published as a decoder would, and what the live events must say.</summary>
internal static class ContractScript
{
    public static readonly string[] Types =
    [
        "backend.state", "graph.stats", "run.created", "run.upstreamId", "run.stage",
        "run.text", "run.text", "run.text", "run.text", "run.tool", "run.tool", "run.usage", "run.metadata", "run.ended",
    ];

    private static readonly DateTimeOffset At = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    public static void Publish(IDomainEventSink sink, string backend, string runId)
    {
        sink.Publish(new BackendHealthChanged { Backend = backend, At = At, Health = new BackendHealth(backend, "test-runs", BackendState.Connected, At, 7, 1, 2, 0, "oops " + LiveApiFixture.Secret, false) });
        sink.Publish(new GraphStatsObserved { Backend = backend, At = At, Stats = new GraphStats(42, 40, 0.25, new Dictionary<string, int> { ["core"] = 2 }, new Dictionary<string, int> { ["idea"] = 3 }) });
        sink.Publish(new RunCreated { Backend = backend, At = At, RunId = runId, Prompt = "write it", Options = new Dictionary<string, JsonElement> { ["temperature"] = JsonSerializer.SerializeToElement(0.5) } });
        sink.Publish(new RunUpstreamIdAssigned { Backend = backend, At = At, RunId = runId, UpstreamId = "up-1" });
        sink.Publish(new RunStageReported { Backend = backend, At = At, RunId = runId, Stage = "generating", Status = StageStatus.Running, Message = "using " + LiveApiFixture.Secret, Progress = 0.5 });
        sink.Publish(new RunTextReceived { Backend = backend, At = At, RunId = runId, Text = "Hello, " });
        sink.Publish(new RunTextReceived { Backend = backend, At = At, RunId = runId, Text = "hmm", Channel = TextChannel.Thinking });
        sink.Publish(new RunTextReceived { Backend = backend, At = At, RunId = runId, Text = "Hello, world", Mode = TextMode.Replace });
        sink.Publish(new RunTextReceived { Backend = backend, At = At, RunId = runId, Text = "!\n\u00e9\u2603\U0001F600" });
        sink.Publish(new RunToolCallUpdated { Backend = backend, At = At, RunId = runId, ToolCallId = "t1", Name = "search", ArgumentsDelta = "{\"q\":", Status = "running" });
        sink.Publish(new RunToolCallUpdated { Backend = backend, At = At, RunId = runId, ToolCallId = "t1", ArgumentsDelta = "\"x\"}", Status = "completed", Detail = "ok" });
        sink.Publish(new RunUsageReported { Backend = backend, At = At, RunId = runId, Usage = new Usage(3, 5, 8) });
        sink.Publish(new RunMetadataReported { Backend = backend, At = At, RunId = runId, Metadata = new Dictionary<string, string> { ["file"] = "a.py" } });
        sink.Publish(new RunEnded { Backend = backend, At = At, RunId = runId, Status = RunStatus.Completed });
    }

    /// <summary>Every field of every type, as the contract gives them.</summary>
    public static void AssertContract(IReadOnlyList<Received> events, string backend, string runId)
    {
        Assert.Equal(Types, events.Select(e => e.Type));
        for (var i = 1; i < events.Count; i++)
        {
            Assert.True(events[i].Sequence > events[i - 1].Sequence, "sequences grow");
        }

        Assert.All(events, e => Assert.Equal(backend, e.Backend));
        Assert.All(events, e => Assert.Equal(At, DateTimeOffset.Parse(e.At, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(events, e => Assert.DoesNotContain(LiveApiFixture.Secret, e.Data.GetRawText(), StringComparison.Ordinal));
        Assert.Null(events[0].RunId);
        Assert.Null(events[1].RunId);
        Assert.All(events.Skip(2), e => Assert.Equal(runId, e.RunId));

        var state = events[0].Data;
        Assert.Equal(backend, state.GetProperty("name").GetString());
        Assert.Equal("test-runs", state.GetProperty("kind").GetString());
        Assert.Equal("connected", state.GetProperty("state").GetString());
        Assert.Equal(7, state.GetProperty("eventsReceived").GetInt64());
        Assert.StartsWith("oops ", state.GetProperty("lastError").GetString(), StringComparison.Ordinal);

        var graph = events[1].Data;
        Assert.Equal(42, graph.GetProperty("nodes").GetInt32());
        Assert.Equal(40, graph.GetProperty("edges").GetInt32());
        Assert.Equal(0.25, graph.GetProperty("avgEntanglement").GetDouble());
        Assert.Equal(2, graph.GetProperty("tiers").GetProperty("core").GetInt32());
        Assert.Equal(3, graph.GetProperty("types").GetProperty("idea").GetInt32());
        Assert.Equal(At, graph.GetProperty("updatedAt").GetDateTimeOffset());

        var created = events[2].Data;
        Assert.Equal(runId, created.GetProperty("id").GetString());
        Assert.Equal("write it", created.GetProperty("prompt").GetString());
        Assert.Equal("pending", created.GetProperty("status").GetString());
        Assert.Equal(0.5, created.GetProperty("options").GetProperty("temperature").GetDouble());
        Assert.Equal(JsonValueKind.Array, created.GetProperty("timeline").ValueKind);

        Assert.Equal("up-1", events[3].Str("upstreamId"));

        var stage = events[4].Data;
        Assert.Equal("generating", stage.GetProperty("stage").GetString());
        Assert.Equal("running", stage.GetProperty("status").GetString());
        Assert.StartsWith("using ", stage.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0.5, stage.GetProperty("progress").GetDouble());
        Assert.Equal(At, stage.GetProperty("at").GetDateTimeOffset());

        Assert.Equal(("output", "Hello, "), (events[5].Str("channel"), events[5].Str("delta")));
        Assert.Equal(("thinking", "hmm"), (events[6].Str("channel"), events[6].Str("delta")));
        Assert.Equal(("output", "Hello, world"), (events[7].Str("channel"), events[7].Str("snapshot")));
        Assert.False(events[7].Data.TryGetProperty("delta", out _));
        Assert.Equal("!\n\u00e9\u2603\U0001F600", events[8].Str("delta"));
        Assert.Equal("Hello, world!\n\u00e9\u2603\U0001F600", Rebuild(events, "output"));
        Assert.Equal("hmm", Rebuild(events, "thinking"));

        Assert.Equal(("t1", "search", "running", null, "{\"q\":"),
            (events[9].Str("id"), events[9].Str("name"), events[9].Str("status"), events[9].Str("detail"), events[9].Str("arguments")));
        Assert.Equal(("t1", "search", "completed", "ok", "{\"q\":\"x\"}"),
            (events[10].Str("id"), events[10].Str("name"), events[10].Str("status"), events[10].Str("detail"), events[10].Str("arguments")));

        var usage = events[11].Data;
        Assert.Equal((3, 5, 8), (usage.GetProperty("inputTokens").GetInt32(), usage.GetProperty("outputTokens").GetInt32(), usage.GetProperty("totalTokens").GetInt32()));
        Assert.Equal(("file", "a.py"), (events[12].Str("key"), events[12].Str("value")));

        var ended = events[13].Data;
        Assert.Equal("completed", ended.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, ended.GetProperty("error").ValueKind);
        Assert.Equal(At, ended.GetProperty("endedAt").GetDateTimeOffset());
    }

    /// <summary>What a client rebuilds from run.text items: snapshots replace, deltas append.</summary>
    public static string Rebuild(IEnumerable<Received> events, string channel)
    {
        var text = new System.Text.StringBuilder();
        foreach (var e in events.Where(e => e.Type == "run.text" && e.Str("channel") == channel))
        {
            if (e.Data.TryGetProperty("snapshot", out var all))
            {
                text.Clear().Append(all.GetString());
            }
            else
            {
                text.Append(e.Str("delta"));
            }
        }

        return text.ToString();
    }
}
