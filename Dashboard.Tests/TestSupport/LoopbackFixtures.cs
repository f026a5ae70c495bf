using Dashboard.Testing;
using Microsoft.AspNetCore.Http;

namespace Dashboard.Tests.TestSupport;

/// <summary>The shared fixtures belong to the tests: the loopback server serves them from here.</summary>
internal static class LoopbackFixtures
{
    extension(LoopbackUpstream)
    {
        /// <summary>A shared fixture, byte for byte, as an event stream.</summary>
        public static Task FixtureAsync(HttpContext context, string file) => LoopbackUpstream.EventStreamAsync(context, Fixtures.Bytes(file));
    }
}
