using System.Buffers;
using System.Diagnostics;
using Dashboard.Backends;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.LiveApi;
using Dashboard.Security;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Dashboard.Benchmarks.LiveApi;

/// <param name="MapMicros">One tick through the live event mapper, alone (what each subscriber did before they shared).</param>
/// <param name="SharedMapMicros">The same through the feed's shared items, for the second and later subscribers (a lookup).</param>
/// <param name="JsonMicros">One stream item written by SignalR's JSON protocol, the event serialized for this subscriber.</param>
/// <param name="SharedJsonMicros">The same when the event is shared: its JSON bytes are copied.</param>
/// <param name="MessagePackMicros">One stream item written by SignalR's MessagePack protocol, serialized for this subscriber.</param>
/// <param name="SharedMessagePackMicros">The same when the event is shared.</param>
public sealed record LiveDeliveryCostFigures(
    double MapMicros,
    double SharedMapMicros,
    double JsonMicros,
    double SharedJsonMicros,
    double MessagePackMicros,
    double SharedMessagePackMicros,
    int JsonBytes,
    int MessagePackBytes);

/// <summary>
/// The per-subscriber work of one delivery that happens in this process's code and SignalR's
/// protocols, timed alone on one thread: mapping the hub event to a live event, then writing it as
/// a stream item. What a delivery costs beyond these is SignalR's connection machinery and the socket.
/// </summary>
public static class LiveDeliveryCost
{
    public static LiveDeliveryCostFigures Measure(IServiceProvider services, int iterations)
    {
        ArgumentNullException.ThrowIfNull(services);
        var mapper = new LiveEventMapper(services.GetRequiredService<SecretRedactor>(), services.GetRequiredService<BackendCatalog>());
        var events = Enumerable.Range(0, 1024)
            .Select(i => new SequencedEvent(i + 1, new RunTextReceived { Backend = LiveSubscribers.Backend, At = DateTimeOffset.UtcNow, RunId = "cost", Text = LiveSubscribers.TickText(i) }))
            .ToArray();
        var mapped = events.Select(e => mapper.Map(e).Single().Event).ToArray();
        var shared = new SharedLiveItems(events.Length);
        var sharing = new LiveEventMapper(services.GetRequiredService<SecretRedactor>(), services.GetRequiredService<BackendCatalog>(), shared);
        var sharedEvents = events.Select(e => sharing.Map(e).Single().Event).ToArray();
        var json = new JsonHubProtocol(Options.Create(new JsonHubProtocolOptions()));
        var messagePack = new MessagePackHubProtocol(Options.Create(new MessagePackHubProtocolOptions()));
        var buffer = new ArrayBufferWriter<byte>(4096);

        var sequences = 0L;
        var map = Time(iterations, i => sequences += mapper.Map(events[i % events.Length]).Single().Event.Sequence);
        var sharedMap = Time(iterations, i => sequences += sharing.Map(events[i % events.Length]).Single().Event.Sequence);
        GC.KeepAlive(sequences);
        var jsonBytes = 0;
        double Write(IHubProtocol protocol, LiveEvent[] items, ref int bytes)
        {
            var written = 0;
            var micros = Time(iterations, i =>
            {
                buffer.ResetWrittenCount();
                protocol.WriteMessage(new StreamItemMessage("1", items[i % items.Length]), buffer);
                written = buffer.WrittenCount;
            });
            bytes = written;
            return micros;
        }

        var packBytes = 0;
        var ignored = 0;
        return new LiveDeliveryCostFigures(
            map,
            sharedMap,
            Write(json, mapped, ref jsonBytes),
            Write(json, sharedEvents, ref ignored),
            Write(messagePack, mapped, ref packBytes),
            Write(messagePack, sharedEvents, ref ignored),
            jsonBytes,
            packBytes);
    }

    /// <summary>Microseconds per call, after a warm-up of a tenth as many.</summary>
    private static double Time(int iterations, Action<int> action)
    {
        for (var i = 0; i < Math.Max(1, iterations / 10); i++)
        {
            action(i);
        }

        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < iterations; i++)
        {
            action(i);
        }

        return Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1000.0 / iterations;
    }
}
