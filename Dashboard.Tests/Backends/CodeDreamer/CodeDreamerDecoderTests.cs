using System.Text.Json;
using Dashboard.Backends.CodeDreamer;
using Dashboard.Domain;
using Dashboard.Tests.Backends.SeedTestSupport;

namespace Dashboard.Tests.Backends.CodeDreamer;

public sealed class CodeDreamerDecoderTests
{
    [Fact]
    public void Events_fixture_becomes_graph_updates_without_edges()
    {
        var decoder = new CodeDreamerDecoder();
        var h = new DecoderHarness(runId: null).Feed(decoder, SeedFixtures.Items("codedreamer-events.sse"));

        var stats = h.Sink.OfType<GraphStatsObserved>();
        Assert.Equal([43, 46, 49, 52, 55], stats.Select(s => s.Stats.Nodes));
        Assert.All(stats, s => Assert.Null(s.Stats.Edges));
        Assert.All(stats, s => Assert.Null(s.Stats.AvgEntanglement));
        Assert.Equal(new Dictionary<string, int> { ["HOT"] = 10, ["WARM"] = 20, ["COLD"] = 13 }, stats[0].Stats.Tiers);
        Assert.Equal(new Dictionary<string, int> { ["FACT"] = 3, ["CONCEPT"] = 7, ["CODE"] = 0, ["DREAM"] = 19, ["ENTITY"] = 26 }, stats[^1].Stats.Types);
        Assert.Equal(DecoderHarness.Start.AddSeconds(5), stats[^1].At);
        Assert.False(decoder.IsTerminal);
    }

    [Fact]
    public void Graph_stats_snapshot_has_edges_and_entanglement()
    {
        var stats = CodeDreamerDecoder.ParseSnapshot(SeedFixtures.Text("codedreamer-graph-stats.json"));

        Assert.Equal(40, stats.Nodes);
        Assert.Equal(57, stats.Edges);
        Assert.Equal(1.425, stats.AvgEntanglement);
        Assert.Equal(new Dictionary<string, int> { ["HOT"] = 9, ["WARM"] = 19, ["COLD"] = 12 }, stats.Tiers);
        Assert.Equal(21, stats.Types["ENTITY"]);
    }

    [Fact]
    public void Unknown_types_and_fields_are_ignored()
    {
        var h = new DecoderHarness(runId: null).Feed(new CodeDreamerDecoder(),
        [
            DecoderHarness.Message("""{"type": "dream", "content": "x"}"""),
            DecoderHarness.Message("""{"type": "update", "nodes": 1, "tiers": {"HOT": 1}, "types": {}, "new_field": [1]}"""),
            DecoderHarness.Message("""{"type": "update"}""", "other"),
        ]);

        Assert.Equal(0, h.DecodeErrors);
        Assert.Equal(1, Assert.Single(h.Sink.OfType<GraphStatsObserved>()).Stats.Nodes);
    }

    [Theory]
    [InlineData("{\"type\": \"update\", \"nodes\": ")]
    [InlineData("""{"type": "update", "tiers": {}}""")]
    [InlineData("""{"type": "update", "nodes": 2.5}""")]
    [InlineData("""{"type": "update", "nodes": 3, "tiers": {"HOT": "many"}}""")]
    [InlineData("42")]
    public void Malformed_updates_throw_JsonException(string data)
    {
        var context = new DecoderHarness(runId: null).Context;

        Assert.ThrowsAny<JsonException>(() => new CodeDreamerDecoder().Decode(DecoderHarness.Message(data), context));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("""{"total_edges": 3}""")]
    public void Malformed_snapshot_throws_JsonException(string json) =>
        Assert.ThrowsAny<JsonException>(() => CodeDreamerDecoder.ParseSnapshot(json));
}
