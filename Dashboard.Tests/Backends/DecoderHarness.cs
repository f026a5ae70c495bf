using System.Text;
using System.Text.Json;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Ingest.Sse;
using Dashboard.Tests.Backends.Llm;
using Dashboard.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace Dashboard.Tests.Backends;

/// <summary>
/// One decoder, a fake clock and a recording sink: items are fed either one by one, one second
/// apart on the clock, the way the stream runner hands them over (a decode error is counted and the
/// stream goes on), or as raw SSE bytes through the ingest parser with the clock left where it is.
/// </summary>
internal sealed class DecoderHarness
{
    public const string Backend = "backend-a";
    public const string RunId = "run-1";

    public static readonly DateTimeOffset Start = new(2025, 1, 16, 12, 0, 0, TimeSpan.Zero);

    private readonly IStreamDecoder? _decoder;

    /// <param name="decoder">The decoder <see cref="SseAsync"/> and <see cref="FixtureAsync"/> feed; <see cref="Feed(IStreamDecoder, IEnumerable{SseItem})"/> names its own.</param>
    /// <param name="runId">Null for a backend's always-on stream (no run).</param>
    public DecoderHarness(IStreamDecoder? decoder = null, string? runId = RunId)
    {
        _decoder = decoder;
        Context = new DecodeContext(Backend, runId, Sink, Clock);
    }

    public IStreamDecoder Decoder => _decoder ?? throw new InvalidOperationException("This harness was made without a decoder.");

    public FakeTimeProvider Clock { get; } = new(Start);

    public RecordingSink Sink { get; } = new();

    public DecodeContext Context { get; }

    public static Expect Expect { get; } = new(Backend, RunId, Start);

    public int DecodeErrors { get; private set; }

    public IReadOnlyList<DashboardEvent> Events => Sink.Events;

    public string OutputText => Concat(TextChannel.Output);

    public string ThinkingText => Concat(TextChannel.Thinking);

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

    /// <summary>A shared fixture's bytes through the parser into <see cref="Decoder"/>.</summary>
    public Task<IReadOnlyList<DashboardEvent>> FixtureAsync(string file) => StreamAsync(new MemoryStream(Fixtures.Bytes(file)));

    /// <summary>Raw SSE text through the parser into <see cref="Decoder"/>.</summary>
    public Task<IReadOnlyList<DashboardEvent>> SseAsync(string sse) => StreamAsync(new MemoryStream(Encoding.UTF8.GetBytes(sse)));

    private async Task<IReadOnlyList<DashboardEvent>> StreamAsync(Stream stream)
    {
        await foreach (var item in SseStreamReading.ReadItemsAsync(stream, SseParserLimits.Default))
        {
            Decoder.Decode(item, Context);
        }

        return Events;
    }

    /// <summary>The text a reader would see: appends accumulate, a replacement starts over.</summary>
    private string Concat(TextChannel channel)
    {
        var text = new StringBuilder();
        foreach (var e in Events.OfType<RunTextReceived>().Where(t => t.Channel == channel))
        {
            if (e.Mode == TextMode.Replace)
            {
                text.Clear();
            }

            text.Append(e.Text);
        }

        return text.ToString();
    }
}
