using System.Runtime.CompilerServices;
using System.Text;
using Dashboard.Ingest;
using Dashboard.Ingest.Sse;

namespace Dashboard.Tests.TestSupport;

/// <summary>
/// The byte-exact copies of the shared fixtures in Dashboard.Tests/Fixtures, read from the source
/// tree (no copy step can alter their line ends; .gitattributes keeps git from doing so).
/// </summary>
internal static class Fixtures
{
    public static string Directory { get; } = FixturesDirectory();

    public static string PathOf(string name) => Path.Combine(Directory, name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    public static string Text(string name) => File.ReadAllText(PathOf(name), Encoding.UTF8);

    /// <summary>Dispatched items of a fixture, through the app's own SSE parser.</summary>
    public static IReadOnlyList<SseItem> Items(string name) =>
        SseStreamReading.ReadItemsAsync(new MemoryStream(Bytes(name)), SseParserLimits.Default).ToBlockingEnumerable().ToList();

    /// <summary>The data payloads of a data-only SSE fixture (one line per event), split by hand, not by the parser under test.</summary>
    public static IReadOnlyList<string> Events(string name) =>
        Text(name).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(block => block.Trim('\n'))
            .Where(block => block.Length > 0)
            .Select(block => block.StartsWith("data: ", StringComparison.Ordinal) ? block["data: ".Length..] : throw new InvalidDataException(block))
            .ToArray();

    private static string FixturesDirectory([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "Fixtures"));
}
