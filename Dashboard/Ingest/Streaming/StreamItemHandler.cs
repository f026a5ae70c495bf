using Dashboard.Ingest.Monitoring;
using Dashboard.Ingest.Sse;

namespace Dashboard.Ingest.Streaming;

/// <summary>Sends each parsed item to the inspector and counters, then to the decoder; a decoder failure costs one item, not the stream.</summary>
internal sealed class StreamItemHandler(BackendMonitor monitor, SseStreamSpec spec) : ISseParserHandler
{
    public bool Terminal { get; private set; }

    // The inspector copies what it keeps and the decoder is done with the item when OnItem returns.
    public bool UsesItemsWithinCall => true;

    /// <summary>Items delivered since the last <see cref="ResetDelivered"/>.</summary>
    public int Delivered { get; private set; }

    public void ResetDelivered() => Delivered = 0;

    /// <summary>Complete events parsed so far (kept or dropped as oversized): what the stall timer watches.</summary>
    public long Completed { get; private set; }

    public void OnItem(in SseItem item)
    {
        Completed++;
        if (Terminal)
        {
            return;
        }

        Delivered++;
        var seq = monitor.RecordItem(item);
        try
        {
            spec.Decoder.Decode(item, spec.Context);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The decoder contract signals malformed data by throwing; the stream goes on.
            monitor.RecordDecodeError(seq, ex.Message);
        }

        Terminal = spec.Decoder.IsTerminal;
    }

    public void OnOversized(in SseOversized dropped)
    {
        Completed++;
        monitor.RecordOversized(dropped);
    }
}
