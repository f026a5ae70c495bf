using Dashboard.Domain;
using Dashboard.Storage;

namespace Dashboard.Tests.Storage;

/// <summary>Every event the hub can sequence has a store encoding (one without it stopped the writer, and with it every later flush).</summary>
public sealed class EventCodecTests
{
    [Fact]
    public void A_stream_reconnect_round_trips_through_the_store_encoding()
    {
        var reconnected = new RunStreamReconnected { Backend = "gen", At = StoreHarness.At(5), RunId = "run-1" };

        var (type, data) = EventCodec.Encode(reconnected);

        Assert.Equal(reconnected, EventCodec.Decode(type, reconnected.At.UtcTicks, "gen", "run-1", data));
    }

    [Fact]
    public void Every_concrete_event_type_has_an_encoding()
    {
        var types = typeof(DashboardEvent).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(DashboardEvent)) && !t.IsAbstract)
            .ToList();

        Assert.NotEmpty(types);
        foreach (var type in types)
        {
            var e = (DashboardEvent)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(type);
            var error = Record.Exception(() => EventCodec.Encode(e));
            Assert.False(error is ArgumentException, $"{type.Name} has no store encoding");
        }
    }
}
