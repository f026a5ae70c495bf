namespace Dashboard.Domain;

/// <summary>Where a decoder sends what it decoded, and what it needs to stamp events.</summary>
public sealed class DecodeContext(string backend, string? runId, IDomainEventSink sink, TimeProvider clock)
{
    public string Backend { get; } = backend;

    /// <summary>The dashboard's run id for run streams; null for always-on streams.</summary>
    public string? RunId { get; } = runId;

    public DateTimeOffset Now => clock.GetUtcNow();

    public void Emit(DashboardEvent e) => sink.Publish(e);
}
