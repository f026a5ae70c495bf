using Dashboard.Backends;
using Dashboard.Domain;

namespace Dashboard.Runs;

/// <summary>
/// A backend of another dashboard shown here as <c>&lt;link&gt;/&lt;its name&gt;</c>: the link that
/// brought it (which starts and cancels its runs there) and what its own dashboard says it can do.
/// </summary>
internal sealed record FederatedBackend(BackendHealth Health, IFederatedRuns Link, string RemoteName)
{
    public bool StartsRuns => Has("runs");

    private bool Has(string capability) => Health.Capabilities?.Contains(capability, StringComparer.Ordinal) == true;

    public RunBackend ToRunBackend()
    {
        var capabilities = BackendCapabilities.Runs;
        if (Has("iterate"))
        {
            capabilities |= BackendCapabilities.Iterations;
        }

        if (Has("graph"))
        {
            capabilities |= BackendCapabilities.GraphStats;
        }

        return new RunBackend(Health.Name, Health.Kind, Health.IsDemo, Health.RunOptions ?? [], capabilities);
    }

    /// <summary>True when <paramref name="name"/> came through a link of this dashboard (<c>&lt;link&gt;/…</c>).</summary>
    public static bool IsLinked(BackendCatalog catalog, string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && catalog.Find(name[..slash])?.Client is IFederatedRuns;
    }

    /// <summary>The link before the first <c>/</c> of a federated name (a chain's later parts belong to the other side).</summary>
    public static FederatedBackend? Find(BackendCatalog catalog, BackendHealth health)
    {
        var slash = health.Name.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && health.Via.Count > 0 && catalog.Find(health.Name[..slash])?.Client is IFederatedRuns link
            ? new FederatedBackend(health, link, health.Name[(slash + 1)..])
            : null;
    }
}
