using System.Text.Json;
using System.Text.RegularExpressions;

namespace Dashboard.Tests.Demo;

/// <summary>
/// Reduces JSON text to its shape: keys, key order, nesting and the exact separators stay; a
/// string or null becomes <c>_</c>, an integer <c>N</c>, a float <c>F</c>, a boolean <c>B</c>.
/// Two texts with equal shapes differ only in values.
/// </summary>
internal static partial class JsonShape
{
    public static string Of(string json) =>
        Token().Replace(json, m =>
        {
            if (m.Groups["key"].Success)
            {
                return m.Value;
            }

            if (m.Groups["str"].Success || m.Value == "null")
            {
                return "_";
            }

            if (m.Value is "true" or "false")
            {
                return "B";
            }

            return m.Value.Contains('.', StringComparison.Ordinal) || m.Value.Contains('e', StringComparison.OrdinalIgnoreCase) ? "F" : "N";
        });

    /// <summary>Every property as <c>path:kind</c> in document order (spacing-independent).</summary>
    public static IReadOnlyList<string> Paths(string json)
    {
        using var document = JsonDocument.Parse(json);
        var paths = new List<string>();
        Walk(document.RootElement, "$", paths);
        return paths;
    }

    private static void Walk(JsonElement element, string path, List<string> paths)
    {
        paths.Add($"{path}:{element.ValueKind}");
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                Walk(property.Value, path + "." + property.Name, paths);
            }
        }
    }

    [GeneratedRegex("""(?<key>"(?:[^"\\]|\\.)*"(?=\s*:))|(?<str>"(?:[^"\\]|\\.)*")|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null""")]
    private static partial Regex Token();
}
