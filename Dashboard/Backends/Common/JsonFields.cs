using System.Globalization;
using System.Text.Json;

namespace Dashboard.Backends.Common;

/// <summary>Tolerant reads of optional JSON fields: a missing or null field is null, a wrong type is malformed data.</summary>
public static class JsonFields
{
    public static JsonElement RequireObject(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object ? root : throw new JsonException($"Expected a JSON object, got {root.ValueKind}.");

    public static string? String(JsonElement obj, string name) =>
        Value(obj, name) is { } v
            ? v.ValueKind == JsonValueKind.String ? v.GetString() : throw new JsonException($"Field '{name}' is not a string.")
            : null;

    public static double? Number(JsonElement obj, string name) =>
        Value(obj, name) is { } v
            ? v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw new JsonException($"Field '{name}' is not a number.")
            : null;

    /// <summary>A scalar as display text (strings as is, numbers invariant, booleans lower-case).</summary>
    public static string? Scalar(JsonElement obj, string name) =>
        Value(obj, name) is { } v
            ? v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Number => v.GetDouble().ToString(CultureInfo.InvariantCulture),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => v.GetRawText(),
            }
            : null;

    /// <summary>An object of integer counts (tiers, types); missing is empty.</summary>
    public static IReadOnlyDictionary<string, int> Counts(JsonElement obj, string name)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        if (Value(obj, name) is not { } v)
        {
            return result;
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"Field '{name}' is not an object.");
        }

        foreach (var p in v.EnumerateObject())
        {
            result[p.Name] = p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out var n)
                ? n
                : throw new JsonException($"Field '{name}.{p.Name}' is not an integer.");
        }

        return result;
    }

    /// <summary>The field's value, or null when absent or JSON null.</summary>
    public static JsonElement? Value(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;
}
