namespace Dashboard.Tests.Backends.Llm;

/// <summary>Where the byte-exact shared fixtures are read from.</summary>
internal static class LlmFixtures
{
    public static string PathOf(string file) => Path.Combine("/work/shared/fixtures", file);
}
