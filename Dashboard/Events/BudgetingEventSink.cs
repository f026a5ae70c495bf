using Dashboard.Configuration;
using Dashboard.Domain;

namespace Dashboard.Events;

/// <summary>
/// The byte-budget boundary: every upstream-controlled string of an event is held to its budget
/// (<c>Dashboard:Limits</c>, <see cref="ByteBudget"/>) before the hub sequences it, so no reader
/// (projections, the replay log, the history store, the live API) ever holds an oversized field.
/// Streamed text is bounded elsewhere (per event by the SSE parser, per run by the projection).
/// A cut value keeps its marker, by which the projection counts it for the user.
/// </summary>
public sealed class BudgetingEventSink(IDomainEventSink inner, LimitsOptions limits) : IDomainEventSink
{
    public long Publish(DashboardEvent e) => inner.Publish(e switch
    {
        RunStageReported s when Over(s.Stage, limits.NameBytes) || Over(s.Message, limits.StageMessageBytes) =>
            s with { Stage = Cut(s.Stage, limits.NameBytes)!, Message = Cut(s.Message, limits.StageMessageBytes) },
        RunUpstreamIdAssigned u when Over(u.UpstreamId, limits.EventIdBytes) => u with { UpstreamId = Cut(u.UpstreamId, limits.EventIdBytes)! },
        RunToolCallUpdated t when Over(t.ToolCallId, limits.EventIdBytes) || Over(t.Name, limits.NameBytes) || Over(t.Status, limits.NameBytes)
            || Over(t.Detail, limits.ToolDetailBytes) || Over(t.ArgumentsDelta, limits.ToolArgumentsBytes) => t with
        {
            ToolCallId = Cut(t.ToolCallId, limits.EventIdBytes)!,
            Name = Cut(t.Name, limits.NameBytes),
            Status = Cut(t.Status, limits.NameBytes),
            Detail = Cut(t.Detail, limits.ToolDetailBytes),
            ArgumentsDelta = Cut(t.ArgumentsDelta, limits.ToolArgumentsBytes),
        },
        RunMetadataReported m when m.Metadata.Any(p => Over(p.Key, limits.NameBytes) || Over(p.Value, limits.StageMessageBytes)) => m with
        {
            Metadata = m.Metadata
                .Select(p => (Key: Cut(p.Key, limits.NameBytes)!, Value: Cut(p.Value, limits.StageMessageBytes)!))
                .DistinctBy(p => p.Key, StringComparer.Ordinal)
                .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
        },
        RunEnded end when Over(end.Error, limits.StageMessageBytes) => end with { Error = Cut(end.Error, limits.StageMessageBytes) },
        BackendHealthChanged h when Over(h.Health.LastError, limits.StageMessageBytes) =>
            h with { Health = h.Health with { LastError = Cut(h.Health.LastError, limits.StageMessageBytes) } },
        _ => e,
    });

    private static bool Over(string? value, int maxBytes) => value is not null && !ByteBudget.Fits(value, maxBytes);

    private static string? Cut(string? value, int maxBytes) => value is null ? null : ByteBudget.Cut(value, maxBytes, out _);
}
