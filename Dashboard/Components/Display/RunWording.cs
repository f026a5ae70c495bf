using Dashboard.Runs;

namespace Dashboard.Components.Display;

/// <summary>The words a page uses for starting a run, which depend on what the backend does with it.</summary>
public static class RunWording
{
    /// <summary>Whether a backend builds on earlier runs (a new run is an iteration of a parent): its kind's capability.</summary>
    public static bool Iterates(RunBackend backend) => backend.SupportsIterations;

    /// <summary>"Start iteration" for a backend that iterates, "Start run" for any other (or none chosen).</summary>
    public static string StartTitle(RunBackend? backend) => backend is not null && Iterates(backend) ? "Start iteration" : "Start run";
}
