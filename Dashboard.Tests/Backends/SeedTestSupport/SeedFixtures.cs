using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using Dashboard.Ingest;

namespace Dashboard.Tests.Backends.SeedTestSupport;

/// <summary>
/// Byte-exact copies of /work/shared/fixtures used by the seed-backend tests, found next to this
/// source file (no project-file change needed).
/// </summary>
internal static class SeedFixtures
{
    public static string PathOf(string name, [CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "Fixtures", name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    public static string Text(string name) => File.ReadAllText(PathOf(name), Encoding.UTF8);

    /// <summary>
    /// Dispatched items of a fixture. The fixtures use none of the framing quirks where the BCL
    /// parser differs from the spec except the empty event type, mapped to "message" here.
    /// </summary>
    public static IReadOnlyList<SseItem> Items(string name) => Parse(Bytes(name));

    public static IReadOnlyList<SseItem> Parse(byte[] bytes)
    {
        var parser = SseParser.Create(new MemoryStream(bytes), (_, data) => Encoding.UTF8.GetString(data));
        return parser.Enumerate()
            .Select(i => new SseItem(string.IsNullOrEmpty(i.EventType) ? SseItem.DefaultEventType : i.EventType, i.Data, parser.LastEventId))
            .ToList();
    }
}
