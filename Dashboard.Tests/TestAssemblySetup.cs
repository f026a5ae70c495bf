using System.Runtime.CompilerServices;
using Bunit;

namespace Dashboard.Tests;

internal static class TestAssemblySetup
{
    /// <summary>
    /// bUnit's WaitFor* default (1 s) is a tight bound for a 2-core CI machine that also runs
    /// Kestrel and Chromium tests in parallel; waits still end as soon as their condition holds.
    /// </summary>
    [ModuleInitializer]
    internal static void Initialize() => BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(15);
}
