using Dashboard.Domain;

namespace Dashboard.Components.Display;

/// <summary>
/// Decides whether a backend's health publication is news for a view that shows its state, kind,
/// last error and demo mark but not its counters. A backend publishes its health once a second
/// while events flow (the counters move); without this every open page would wake that often for
/// each streaming backend, to find nothing to render. One per view, used from its hub filter
/// (the hub offers events one at a time, under its lock).
/// </summary>
public sealed class HealthChanges
{
    private readonly Dictionary<string, (string Kind, BackendState State, bool IsDemo, string? LastError)> _seen = new(StringComparer.Ordinal);

    /// <summary>What a view other than the Backends page shows of a backend: everything but its counters.</summary>
    public static (string Kind, BackendState State, bool IsDemo, string? LastError) Shown(BackendHealth health)
    {
        ArgumentNullException.ThrowIfNull(health);
        return (health.Kind, health.State, health.IsDemo, health.LastError);
    }

    /// <summary>True the first time a backend is seen and whenever what is shown of it changed.</summary>
    public bool IsNews(BackendHealth health)
    {
        var shown = Shown(health);
        if (_seen.TryGetValue(health.Name, out var before) && before == shown)
        {
            return false;
        }

        _seen[health.Name] = shown;
        return true;
    }
}
