namespace Dashboard.Tests.Demo;

/// <summary>The shared byte-exact fixtures (../shared/fixtures from the repository root, or /work/shared/fixtures).</summary>
internal static class Fixtures
{
    public static string Read(string name)
    {
        foreach (var folder in Candidates())
        {
            var path = Path.Combine(folder, name);
            if (File.Exists(path))
            {
                return File.ReadAllText(path);
            }
        }

        throw new FileNotFoundException($"Fixture {name} not found next to the repository (../shared/fixtures).");
    }

    /// <summary>The data payloads of an SSE fixture (data-only streams, one line per event).</summary>
    public static IReadOnlyList<string> Events(string name) =>
        Read(name).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(block => block.Trim('\n'))
            .Where(block => block.Length > 0)
            .Select(block => block.StartsWith("data: ", StringComparison.Ordinal) ? block["data: ".Length..] : throw new InvalidDataException(block))
            .ToArray();

    private static IEnumerable<string> Candidates()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            yield return Path.Combine(dir.FullName, "shared", "fixtures");
            yield return Path.Combine(dir.FullName, "..", "shared", "fixtures");
        }

        yield return "/work/shared/fixtures";
    }
}
