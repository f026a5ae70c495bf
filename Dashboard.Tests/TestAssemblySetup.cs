using System.Runtime.CompilerServices;
using Bunit;
using Dashboard.Tests.TestSupport;

// Most tests wait far more than they compute (on sockets, Chromium, engines, timers): four
// collections at a time keep the 2 cores busy where the default (one per core) left them idle.
// The browser collection stays one collection (one Chromium, its tests one after another), and the
// test command runs the process-memory test in a process of its own.
[assembly: CollectionBehavior(MaxParallelThreads = 4)]
[assembly: TestCollectionOrderer(LongestFirstCollectionOrderer.TypeName, "Dashboard.Tests")]

namespace Dashboard.Tests;

internal static class TestAssemblySetup
{
    /// <summary>
    /// bUnit's WaitFor* default (1 s) is a tight bound for a 2-core CI machine that also runs
    /// Kestrel and Chromium tests in parallel; waits still end as soon as their condition holds.
    /// </summary>
    [ModuleInitializer]
    internal static void Initialize()
    {
        BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(15);

        // Apps started by tests keep no history unless a test gives them a store of their own:
        // never the user's real file, and never one file shared by apps running side by side.
        Environment.SetEnvironmentVariable("Dashboard__Storage__Provider", "memory");
    }
}
