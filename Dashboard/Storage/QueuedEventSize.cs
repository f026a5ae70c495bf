using Dashboard.Domain;

namespace Dashboard.Storage;

/// <summary>
/// What an event waiting for a store's writer holds in memory, estimated: the queue's bound is in
/// bytes, so a stall of the writer is absorbed for longer when the events are small (stages,
/// progress) and memory stays bounded when they are large (long text deltas, tool arguments).
/// An overestimate only drops earlier, so strings shared between events are counted every time.
/// </summary>
internal static class QueuedEventSize
{
    /// <summary>The event object with its fixed fields, the queue's item around it and its slot.</summary>
    public const int Overhead = 160;

    /// <summary>A dictionary entry beside its strings (options, metadata, graph tiers and types).</summary>
    private const int Entry = 48;

    public static long Of(DashboardEvent e) => Overhead + e switch
    {
        RunTextReceived t => Text(t.Text),
        RunStageReported s => Text(s.Stage) + Text(s.Message),
        RunToolCallUpdated c => Text(c.ToolCallId) + Text(c.Name) + Text(c.ArgumentsDelta) + Text(c.Status) + Text(c.Detail),
        RunCreated c => Text(c.Prompt) + Text(c.ParentRunId) + c.Options.Sum(o => Entry + Text(o.Key) + Text(o.Value.GetRawText())),
        RunUpstreamIdAssigned u => Text(u.UpstreamId),
        RunMetadataReported m => m.Metadata.Sum(p => Entry + Text(p.Key) + Text(p.Value)),
        RunEnded end => Text(end.Error),
        GraphStatsObserved g => (g.Stats.Tiers.Count + g.Stats.Types.Count) * (Entry + 32),
        _ => 0,
    };

    // A .NET string: its header and length, then two bytes a character.
    private static long Text(string? value) => value is null ? 0 : 24 + (2L * value.Length);
}
