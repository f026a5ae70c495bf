using System.Runtime.CompilerServices;
using System.Text;
using Dashboard.Ingest;
using Dashboard.Ingest.Sse;

namespace Dashboard.Tests.Backends.SeedTestSupport;

/// <summary>
/// Byte-exact copies of /work/shared/fixtures used by the seed-backend tests, found next to this
/// source file (no project-file change needed).
/// </summary>
internal static class SeedFixtures
{
    private static readonly string Directory = FixturesDirectory();

    public static string PathOf(string name) => Path.Combine(Directory, name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    public static string Text(string name) => File.ReadAllText(PathOf(name), Encoding.UTF8);

    /// <summary>Dispatched items of a fixture, through the app's own SSE parser.</summary>
    public static IReadOnlyList<SseItem> Items(string name) =>
        SseStreamReading.ReadItemsAsync(new MemoryStream(Bytes(name)), SseParserLimits.Default).ToBlockingEnumerable().ToList();

    private static string FixturesDirectory([CallerFilePath] string here = "") => Path.Combine(Path.GetDirectoryName(here)!, "Fixtures");
}
