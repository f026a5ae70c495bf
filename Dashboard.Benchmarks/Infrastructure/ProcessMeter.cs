using System.Diagnostics;

namespace Dashboard.Benchmarks.Infrastructure;

/// <summary>This process's CPU time and memory, read fresh each time.</summary>
public static class ProcessMeter
{
    public static TimeSpan CpuTime
    {
        get
        {
            using var self = Process.GetCurrentProcess();
            return self.TotalProcessorTime;
        }
    }

    public static long WorkingSetBytes
    {
        get
        {
            using var self = Process.GetCurrentProcess();
            return self.WorkingSet64;
        }
    }

    /// <summary>Managed heap after a full blocking collection: what is really retained.</summary>
    public static long RetainedManagedBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }

    public static string Mb(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.0") + " MB";
}
