using System.Text.Json;

namespace Dashboard.Components.Display;

/// <summary>How the raw stream inspector shows one SSE item: a one-line preview, pretty JSON on demand, and its id.</summary>
public static class RawItemDisplay
{
    public const int PreviewLength = 160;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The data on one line (line breaks and runs of spaces collapsed), cut to <see cref="PreviewLength"/>.</summary>
    public static string Preview(string data)
    {
        var line = string.Join(' ', data.Split((char[])['\r', '\n', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return DisplayText.Shorten(line, PreviewLength);
    }

    /// <summary>Indented JSON when the data is JSON; the data unchanged otherwise (plain text, or cut by the size limit).</summary>
    public static string Pretty(string data)
    {
        try
        {
            using var doc = JsonDocument.Parse(data);
            return JsonSerializer.Serialize(doc.RootElement, Indented);
        }
        catch (JsonException)
        {
            return data;
        }
    }

    /// <summary>The SSE id when the item had one, else the JSON object's own "id" (string or number), else null.</summary>
    public static string? IdOf(string sseId, string data)
    {
        if (sseId.Length > 0)
        {
            return sseId;
        }

        if (data.Length == 0 || data[0] != '{')
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(data);
            return doc.RootElement.TryGetProperty("id", out var id) && id.ValueKind is JsonValueKind.String or JsonValueKind.Number
                ? id.ToString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
