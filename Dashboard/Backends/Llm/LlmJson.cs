using System.Text.Json;

namespace Dashboard.Backends.Llm;

/// <summary>Tolerant reads: a missing, null or differently typed field is "absent", never an error.</summary>
internal static class LlmJson
{
    public static JsonElement? Prop(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    public static string? Str(this JsonElement element, string name) =>
        element.Prop(name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    public static int? Int(this JsonElement element, string name) =>
        element.Prop(name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt32(out var number) ? number : null;

    public static JsonElement? Obj(this JsonElement element, string name) =>
        element.Prop(name) is { ValueKind: JsonValueKind.Object } value ? value : null;

    public static IEnumerable<JsonElement> Arr(this JsonElement element, string name) =>
        element.Prop(name) is { ValueKind: JsonValueKind.Array } value ? value.EnumerateArray() : [];

    /// <summary>The event's type: the JSON <c>type</c> field, else the SSE event type.</summary>
    public static string TypeOf(this JsonElement root, string sseEventType) => root.Str("type") ?? sseEventType;
}
