using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Backends.Sse;

/// <summary>
/// The raw <c>sse</c> kind has no dialect: its items reach the inspector through the stream
/// runner and nothing is decoded into domain events.
/// </summary>
public sealed class RawSseDecoder : IStreamDecoder
{
    public bool IsTerminal => false;

    public void Decode(in SseItem item, DecodeContext context)
    {
    }
}
