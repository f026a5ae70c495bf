namespace Dashboard.Domain;

/// <summary>
/// What a backend kind can do. Pages, the API and the launcher ask these flags instead of
/// comparing kind names, so a new kind shows up correctly by declaring them.
/// </summary>
[Flags]
public enum BackendCapabilities
{
    None = 0,

    /// <summary>Publishes graph stats (CodeDreamer).</summary>
    GraphStats = 1,

    /// <summary>Runs can be started from the form / POST /api/runs (the client is an <c>IRunClient</c>).</summary>
    Runs = 2,

    /// <summary>Keeps an always-on stream open while the app runs (the client is an <c>IAlwaysOnStream</c>).</summary>
    AlwaysOnStream = 4,

    /// <summary>A finished run can be iterated on: a new run with it as parent (codegen).</summary>
    Iterations = 8,
}

public static class BackendCapabilitiesExtensions
{
    public static bool Includes(this BackendCapabilities capabilities, BackendCapabilities wanted) => (capabilities & wanted) == wanted;
}
