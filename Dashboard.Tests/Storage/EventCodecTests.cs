using Dashboard.Domain;
using Dashboard.Storage;

namespace Dashboard.Tests.Storage;

public sealed class EventCodecTests
{
    public static TheoryData<string> EventTypes()
    {
        var data = new TheoryData<string>();
        foreach (var type in typeof(DashboardEvent).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: false, IsClass: true } && t.IsAssignableTo(typeof(DashboardEvent))))
        {
            data.Add(type.FullName!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EventTypes))]
    public void Every_concrete_event_type_has_a_store_code(string typeName)
    {
        // A type without a code would throw in the store's writer and stop history from being written.
        Assert.True(EventCodec.Encodes(typeof(DashboardEvent).Assembly.GetType(typeName)!), $"{typeName} has no store code: append it to EventCodec's table.");
    }

    [Fact]
    public void A_stream_reconnect_round_trips_exactly()
    {
        var at = new DateTimeOffset(2026, 11, 27, 21, 30, 0, TimeSpan.Zero);
        var reconnect = new RunStreamReconnected { Backend = "cg", RunId = "run-1", At = at };

        var (type, data) = EventCodec.Encode(reconnect);
        var decoded = EventCodec.Decode(type, at.UtcTicks, "cg", "run-1", data);

        Assert.Equal(reconnect, decoded);
    }
}
