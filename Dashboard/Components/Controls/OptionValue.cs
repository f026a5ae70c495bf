using Dashboard.Domain;
using System.Globalization;
using System.Text.Json;
using Dashboard.Backends;

namespace Dashboard.Components.Controls;

/// <summary>What the user entered for one backend option, and its JSON for the run request.</summary>
public sealed record OptionValue(string? Text, IReadOnlyList<string> Items, double? Number)
{
    public static readonly OptionValue Empty = new(null, [], null);

    public static OptionValue FromDefault(RunOptionField field) => field.Type switch
    {
        RunOptionType.MultiChoice => Empty with
        {
            Items = field.Default?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
        },
        RunOptionType.Number => Empty with
        {
            Number = double.TryParse(field.Default, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : null,
        },
        _ => Empty with { Text = field.Default },
    };

    public static OptionValue FromJson(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.String => Empty with { Text = json.GetString() },
        JsonValueKind.Number => Empty with { Number = json.GetDouble() },
        JsonValueKind.Array => Empty with
        {
            Items = json.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList(),
        },
        _ => Empty with { Text = json.ToString() },
    };

    /// <returns>Null when nothing was entered (the option is left out, so the upstream's default applies).</returns>
    public JsonElement? ToJson(RunOptionType type) => type switch
    {
        RunOptionType.MultiChoice => Items.Count == 0 ? null : JsonSerializer.SerializeToElement(Items),
        RunOptionType.Number => Number is { } n ? JsonSerializer.SerializeToElement(n) : null,
        _ => string.IsNullOrEmpty(Text) ? null : JsonSerializer.SerializeToElement(Text),
    };
}
