namespace Dashboard.ScaleOut;

/// <summary>Several replicas behind a load balancer: <c>Dashboard:ScaleOut:…</c>.</summary>
public sealed class ScaleOutOptions
{
    public const string SectionName = "Dashboard:ScaleOut";

    /// <summary>A StackExchange.Redis connection string; unset: one process, nothing to coordinate.</summary>
    public string? Redis { get; set; }

    /// <summary>How long a replica's lease on a backend or a run lasts without renewal.</summary>
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(10);

    public bool Enabled => !string.IsNullOrWhiteSpace(Redis);
}
