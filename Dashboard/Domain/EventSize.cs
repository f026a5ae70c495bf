namespace Dashboard.Domain;

/// <summary>How much memory an event holds, for the bounded logs that keep events (replay ring, memory history).</summary>
public static class EventSize
{
    // Object headers, the record's fields and the strings' own headers, roughly.
    private const int OverheadBytes = 96;

    /// <summary>Rough memory of one event: its strings (UTF-16) plus a fixed overhead.</summary>
    public static int Estimate(DashboardEvent e)
    {
        long chars = e.Backend.Length + ((e as RunEvent)?.RunId.Length ?? 0);
        switch (e)
        {
            case RunTextReceived t:
                chars += t.Text.Length;
                break;
            case RunCreated c:
                chars += c.Prompt.Length + (c.ParentRunId?.Length ?? 0) + (c.Options.Count * 64);
                break;
            case RunToolCallUpdated u:
                chars += u.ToolCallId.Length + (u.Name?.Length ?? 0) + (u.ArgumentsDelta?.Length ?? 0) + (u.Status?.Length ?? 0) + (u.Detail?.Length ?? 0);
                break;
            case RunStageReported s:
                chars += s.Stage.Length + (s.Message?.Length ?? 0);
                break;
            case RunEnded end:
                chars += end.Error?.Length ?? 0;
                break;
            case RunUpstreamIdAssigned a:
                chars += a.UpstreamId.Length;
                break;
            case RunMetadataReported m:
                chars += m.Metadata.Sum(p => p.Key.Length + p.Value.Length);
                break;
            case GraphStatsObserved g:
                chars += (g.Stats.Tiers.Count + g.Stats.Types.Count) * 24;
                break;
            case BackendHealthChanged h:
                chars += h.Health.Name.Length + h.Health.Kind.Length + (h.Health.LastError?.Length ?? 0);
                break;
        }

        return (int)Math.Min(int.MaxValue, OverheadBytes + (chars * 2));
    }
}
