using System.Text.Json;
using Dashboard.Domain;

namespace Dashboard.Storage;

/// <summary>
/// Turns a domain event into a row of the events table and back, exactly (same type, same data).
/// <para>
/// Text deltas: a 200 KB answer arrives as ~50,000 small deltas, each with its own sequence number
/// and timestamp. A replay from any cursor must yield each of them as it was sequenced, so they
/// cannot be merged into one row without keeping every boundary and timestamp anyway. They are
/// therefore kept one row per delta, but compact: the row's own columns carry the sequence, time,
/// backend and run, and <c>data</c> holds only the delta's characters (no JSON envelope), which
/// keeps the per-delta overhead to a few dozen bytes; the writer inserts them in batched
/// transactions with one prepared statement, so their number costs little, and events live only
/// as long as the replay window (the run's final text is kept once, in the runs table).
/// </para>
/// </summary>
internal static class EventCodec
{
    /// <summary>An appended output delta stamped in UTC: data is the raw text.</summary>
    public const int CompactText = 1;

    private static readonly Type[] Types =
    [
        typeof(void), // 0 unused
        typeof(RunTextReceived), // 1 compact (see above)
        typeof(RunCreated),
        typeof(RunUpstreamIdAssigned),
        typeof(RunStageReported),
        typeof(RunTextReceived),
        typeof(RunToolCallUpdated),
        typeof(RunUsageReported),
        typeof(RunMetadataReported),
        typeof(RunEnded),
        typeof(GraphStatsObserved),
        typeof(BackendHealthChanged),
        // Codes are never reused or reordered: new event types are added at the end.
        typeof(RunStreamReconnected),
    ];

    private static readonly Dictionary<Type, int> Codes = Types
        .Select((type, code) => (type, code))
        .Where(p => p.code > CompactText)
        .ToDictionary(p => p.type, p => p.code);

    public static (int Type, string Data) Encode(DashboardEvent e)
    {
        if (e is RunTextReceived { Mode: TextMode.Append, Channel: TextChannel.Output } t && t.At.Offset == TimeSpan.Zero)
        {
            return (CompactText, t.Text);
        }

        if (!Codes.TryGetValue(e.GetType(), out var code))
        {
            throw new ArgumentException($"No store encoding for {e.GetType().Name}.", nameof(e));
        }

        return (code, JsonSerializer.Serialize(e, e.GetType(), StoreJson.Options));
    }

    public static DashboardEvent Decode(int type, long atTicks, string backend, string? runId, string data)
    {
        if (type == CompactText)
        {
            return new RunTextReceived
            {
                Backend = backend,
                At = new DateTimeOffset(atTicks, TimeSpan.Zero),
                RunId = runId!,
                Text = data,
            };
        }

        if (type <= CompactText || type >= Types.Length)
        {
            throw new InvalidDataException($"Unknown event type {type} in the history store.");
        }

        return (DashboardEvent)(JsonSerializer.Deserialize(data, Types[type], StoreJson.Options)
            ?? throw new InvalidDataException("A null event in the history store."));
    }
}
