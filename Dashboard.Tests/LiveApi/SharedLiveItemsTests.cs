using System.Buffers;
using System.Text.Json;
using Dashboard.Backends;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.LiveApi;
using Dashboard.Security;
using MessagePack;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.LiveApi;

/// <summary>
/// Subscribers of the same events map and serialize each once between them, and what they write
/// is byte for byte what one subscriber mapping alone writes: on SSE's JSON and on both SignalR protocols.
/// </summary>
public sealed class SharedLiveItemsTests
{
    private static readonly SecretRedactor Redactor = new(Options.Create(new DashboardOptions()));

    private static readonly SequencedEvent[] Events =
    [
        new(1, new RunCreated { Backend = "b", At = DateTimeOffset.UnixEpoch, RunId = "r", Prompt = "write «café» \u2028 code" }),
        new(2, new RunStageReported { Backend = "b", At = DateTimeOffset.UnixEpoch, RunId = "r", Stage = "generating", Status = StageStatus.Running, Message = "half", Progress = 0.5 }),
        new(3, new RunTextReceived { Backend = "b", At = DateTimeOffset.UnixEpoch, RunId = "r", Text = "line one\nline \"two\"" }),
        new(4, new RunToolCallUpdated { Backend = "b", At = DateTimeOffset.UnixEpoch, RunId = "r", ToolCallId = "t", Name = "search", ArgumentsDelta = "{\"q\":" }),
        new(5, new RunMetadataReported { Backend = "b", At = DateTimeOffset.UnixEpoch, RunId = "r", Metadata = new Dictionary<string, string> { ["model"] = "m", ["seed"] = "7" } }),
        new(6, new RunEnded { Backend = "b", At = DateTimeOffset.UnixEpoch, RunId = "r", Status = RunStatus.Completed }),
        new(7, new RunTextReceived { Backend = "b", At = DateTimeOffset.UnixEpoch, RunId = "r", Text = "after the end" }),
    ];

    private static List<LiveItem> MapAll(LiveEventMapper mapper) => [.. Events.SelectMany(mapper.Map)];

    [Fact]
    public void Two_subscribers_share_the_items_of_an_event_but_not_of_a_tool_call_and_write_what_a_lone_subscriber_writes()
    {
        var shared = new SharedLiveItems();
        var first = MapAll(new LiveEventMapper(Redactor, new BackendCatalog(), shared));
        var second = MapAll(new LiveEventMapper(Redactor, new BackendCatalog(), shared));
        var alone = MapAll(new LiveEventMapper(Redactor, new BackendCatalog()));

        Assert.Equal(alone.Select(i => (i.Event.Sequence, i.Event.Type, i.EndsGroup)), first.Select(i => (i.Event.Sequence, i.Event.Type, i.EndsGroup)));
        Assert.DoesNotContain(first, i => i.Event.Sequence == 7); // after its end, as before
        for (var i = 0; i < first.Count; i++)
        {
            var isTool = first[i].Event.Type == LiveEventTypes.RunTool;
            Assert.Equal(!isTool, ReferenceEquals(first[i].Event, second[i].Event));
            Assert.Equal(!isTool, first[i].Event.Serialized is not null);
            Assert.Null(alone[i].Event.Serialized);

            // SSE (twice: the second write is the cached bytes) and SignalR's two protocols.
            Assert.Equal(JsonSerializer.Serialize(alone[i].Event, LiveJson.Options), JsonSerializer.Serialize(first[i].Event, LiveJson.Options));
            Assert.Equal(JsonSerializer.Serialize(alone[i].Event, LiveJson.Options), JsonSerializer.Serialize(second[i].Event, LiveJson.Options));
            foreach (var protocol in Protocols())
            {
                Assert.Equal(Write(protocol, alone[i].Event), Write(protocol, first[i].Event));
                Assert.Equal(Write(protocol, alone[i].Event), Write(protocol, second[i].Event));
            }
        }
    }

    [Fact]
    public void A_live_event_keeps_the_contracts_names_on_every_wire()
    {
        var e = new LiveEvent(12, LiveEventTypes.RunText, "2026-01-01T00:00:00+00:00", "b", null, LiveJson.ToTree(new RunTextDeltaData("output", "hé")));
        var json = JsonDocument.Parse(JsonSerializer.Serialize(e, LiveJson.Options)).RootElement;
        Assert.Equal(["sequence", "type", "at", "backend", "runId", "data"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, json.GetProperty("runId").ValueKind);
        Assert.Equal("hé", json.GetProperty("data").GetProperty("delta").GetString());

        var pack = MessagePackSerializer.Deserialize<Dictionary<object, object?>>(MessagePackSerializer.Serialize(e, MessagePackSerializerOptions.Standard));
        Assert.Equal(["sequence", "type", "at", "backend", "runId", "data"], pack.Keys.Cast<string>());
        Assert.Null(pack["runId"]);
        Assert.Equal("hé", ((Dictionary<object, object?>)pack["data"]!)["delta"]);

        var back = JsonSerializer.Deserialize<LiveEvent>(JsonSerializer.Serialize(e, LiveJson.Options), LiveJson.Options)!;
        Assert.Equal((e.Sequence, e.Type, e.At, e.Backend, e.RunId), (back.Sequence, back.Type, back.At, back.Backend, back.RunId));
    }

    private static IEnumerable<IHubProtocol> Protocols() =>
    [
        new JsonHubProtocol(Options.Create(new JsonHubProtocolOptions())),
        new MessagePackHubProtocol(Options.Create(new MessagePackHubProtocolOptions())),
    ];

    private static byte[] Write(IHubProtocol protocol, LiveEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>();
        protocol.WriteMessage(new StreamItemMessage("1", e), buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
