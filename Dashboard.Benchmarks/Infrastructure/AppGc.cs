using System.Diagnostics;
using System.Runtime;

namespace Dashboard.Benchmarks.Infrastructure;

/// <summary>
/// The app's garbage collector: server GC (the web SDK's default, in Dashboard.runtimeconfig.json),
/// concurrent (neither project turns it off). This program itself runs the workstation GC (its
/// project), so a harness that times the app's own ingest path in this process would measure a
/// collector the app never runs: how often the allocating thread waits for a collection differs
/// several-fold between the two. Such harnesses start this program again with the app's setting.
/// The GC mode is fixed when a process starts, so a child process is the only way to change it.
/// </summary>
public static class AppGc
{
    // Set in the child, so a runtime that ignores the GC variables fails instead of starting itself forever.
    private const string ChildMarker = "DASHBOARD_BENCH_APP_GC";

    public static bool IsActive => GCSettings.IsServerGC && GCSettings.LatencyMode != GCLatencyMode.Batch;

    public static string Describe() =>
        $"GC {(GCSettings.IsServerGC ? "server" : "workstation")} {(GCSettings.LatencyMode == GCLatencyMode.Batch ? "non-concurrent" : "concurrent")}";

    /// <summary>Runs this program with <paramref name="args"/> in a child process with the app's GC; returns its exit code.</summary>
    public static async Task<int> RunChildAsync(string[] args)
    {
        if (Environment.GetEnvironmentVariable(ChildMarker) == "1")
        {
            Console.Error.WriteLine($"started with DOTNET_gcServer=1 and DOTNET_gcConcurrent=1 but running {Describe()}: refusing to measure with a GC the app does not run");
            return 3;
        }

        // This program's own apphost beside its assembly, else the dotnet host running its assembly.
        var assembly = typeof(AppGc).Assembly.Location;
        var appHost = Path.ChangeExtension(assembly, null);
        var info = new ProcessStartInfo(File.Exists(appHost) ? appHost : "dotnet") { UseShellExecute = false };
        if (!File.Exists(appHost))
        {
            info.ArgumentList.Add(assembly);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_gcServer"] = "1";
        info.Environment["DOTNET_gcConcurrent"] = "1";
        info.Environment[ChildMarker] = "1";
        using var child = Process.Start(info) ?? throw new InvalidOperationException("the benchmark's child process did not start");
        await child.WaitForExitAsync();
        return child.ExitCode;
    }
}
