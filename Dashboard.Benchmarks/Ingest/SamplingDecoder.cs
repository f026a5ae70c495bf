using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Benchmarks.Ingest;

/// <summary>Passes every item to the real decoder and calls <paramref name="sample"/> after every <paramref name="every"/> items, on the ingest thread.</summary>
public sealed class SamplingDecoder(IStreamDecoder inner, long every, Action<long> sample) : IStreamDecoder
{
    public long Items { get; private set; }

    public bool IsTerminal => inner.IsTerminal;

    public void Decode(in SseItem item, DecodeContext context)
    {
        inner.Decode(item, context);
        if (++Items % every == 0)
        {
            sample(Items);
        }
    }
}
