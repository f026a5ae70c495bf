using System.Runtime.CompilerServices;

namespace Dashboard.Tests.Ingest;

internal static class FixturePaths
{
    /// <summary>Byte-exact copies of the shared SSE fixtures, read from the source tree (no copy step can alter line ends).</summary>
    public static string Directory { get; } = Path.Combine(SourceDirectory(), "Fixtures");

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
