using System.Text.Json;
using Dashboard.Domain;
using Dashboard.Ingest;
using Microsoft.Extensions.Time.Testing;

namespace Dashboard.Tests.Backends.SeedTestSupport;

/// <summary>Feeds items to a decoder the way the stream runner does: decode errors are counted, the stream goes on.</summary>
internal sealed class DecoderHarness
{
    public static readonly DateTimeOffset Start = new(2025, 1, 16, 12, 0, 0, TimeSpan.Zero);

    public DecoderHarness(string? runId = "run-1")
    {
        Context = new DecodeContext("backend-a", runId, Sink, Clock);
    }

    public FakeTimeProvider Clock { get; } = new(Start);

    public RecordingSink Sink { get; } = new();

    public DecodeContext Context { get; }

    public int DecodeErrors { get; private set; }

    public IReadOnlyList<DashboardEvent> Events => Sink.Events;

    /// <summary>Decodes each item, one second apart on the fake clock.</summary>
    public DecoderHarness Feed(IStreamDecoder decoder, IEnumerable<SseItem> items)
    {
        foreach (var item in items)
        {
            Clock.Advance(TimeSpan.FromSeconds(1));
            try
            {
                decoder.Decode(item, Context);
            }
            catch (JsonException)
            {
                DecodeErrors++;
            }
        }

        return this;
    }

    public DecoderHarness Feed(IStreamDecoder decoder, params string[] dataLines) =>
        Feed(decoder, dataLines.Select(d => Message(d)));

    public static SseItem Message(string data, string type = SseItem.DefaultEventType) => new(type, data, "");
}
