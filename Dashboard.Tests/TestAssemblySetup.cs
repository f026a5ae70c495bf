using System.Runtime.CompilerServices;
using Bunit;
using Dashboard.Tests.TestSupport;

// Three collections at a time: the browser collection (one Chromium, its tests one after another,
// the run's longest path) and two of the others, which mostly wait on sockets, engines and timers,
// so together they finish within its time without taking both cores from it. The test command
// runs the process-memory test in a process of its own.
[assembly: CollectionBehavior(MaxParallelThreads = 3)]
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
