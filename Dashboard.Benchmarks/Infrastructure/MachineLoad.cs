namespace Dashboard.Benchmarks.Infrastructure;

/// <summary>The machine is shared with other builds: every result is printed with the load it ran under.</summary>
public static class MachineLoad
{
    public static string Describe()
    {
        const string path = "/proc/loadavg";
        if (!File.Exists(path))
        {
            return "load average unknown";
        }

        var parts = File.ReadAllText(path).Split(' ');
        return $"load average {parts[0]} {parts[1]} {parts[2]} (1/5/15 min)";
    }
}
