using System.Text;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Ingest.Sse;
using Microsoft.Extensions.Time.Testing;

namespace Dashboard.Tests.Backends.Llm;

/// <summary>Feeds SSE bytes through the ingest parser into one decoder and records what it emits.</summary>
internal sealed class DecoderHarness
{
    public const string Backend = "llm";
    public const string RunId = "run-1";

    public static readonly DateTimeOffset Start = new(2026, 1, 16, 12, 0, 0, TimeSpan.Zero);

    public DecoderHarness(IStreamDecoder decoder)
    {
        Decoder = decoder;
        Context = new DecodeContext(Backend, RunId, Sink, Clock);
    }

    public IStreamDecoder Decoder { get; }

    public FakeTimeProvider Clock { get; } = new(Start);

    public RecordingSink Sink { get; } = new();

    public DecodeContext Context { get; }

    public static Expect Expect { get; } = new(Backend, RunId, Start);

    public IReadOnlyList<DashboardEvent> Events => Sink.Events;

    public string OutputText => Concat(TextChannel.Output);

    public string ThinkingText => Concat(TextChannel.Thinking);

    public async Task<IReadOnlyList<DashboardEvent>> FixtureAsync(string file)
    {
        await using var stream = File.OpenRead(LlmFixtures.PathOf(file));
        return await StreamAsync(stream);
    }

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
