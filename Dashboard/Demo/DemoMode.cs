using Dashboard.Configuration;

namespace Dashboard.Demo;

public static class DemoMode
{
    /// <summary>
    /// The demo is on when asked for, or by default when no real backend is configured, so a
    /// fresh clone shows a living dashboard without any other process.
    /// </summary>
    public static bool IsEnabled(DashboardOptions options) =>
        options.Demo.Enabled ?? options.Backends.Count == 0;
}
