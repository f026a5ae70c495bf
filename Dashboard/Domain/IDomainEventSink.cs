namespace Dashboard.Domain;

/// <summary>Accepts domain events in order. The event hub is the real one.</summary>
public interface IDomainEventSink
{
    long Publish(DashboardEvent e);
}
