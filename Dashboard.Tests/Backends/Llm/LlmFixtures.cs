using Dashboard.Tests.Ingest;

namespace Dashboard.Tests.Backends.Llm;

/// <summary>The byte-exact shared fixtures, as the ingest tests keep them in the source tree.</summary>
internal static class LlmFixtures
{
    public static string PathOf(string file) => Path.Combine(FixturePaths.Directory, file);
}
