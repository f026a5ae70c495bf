using System.Text;
using System.Text.Json;

namespace Dashboard.Backends.Common;

/// <summary>
/// The upstream's own words for a refusal, from the shapes real servers use:
/// OpenAI <c>{"error":{"message"}}</c>, Anthropic <c>{"type":"error","error":{"type","message"}}</c>,
/// simple <c>{"error":"…"}</c>, FastAPI <c>{"detail":"…"}</c> or <c>{"detail":[{"loc","msg"}]}</c>,
/// and <c>{"message"}</c>. Falls back to the start of the body.
/// </summary>
public static class UpstreamError
{
    private const int MaxChars = 500;

    public static string Describe(int? status, string? body)
    {
        var detail = ExtractMessage(body);
        var prefix = status is { } s ? $"HTTP {s}" : "upstream error";
        return string.IsNullOrWhiteSpace(detail) ? prefix : $"{prefix}: {detail}";
    }

    public static string? ExtractMessage(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            return Cut(FromElement(doc.RootElement) ?? body.Trim());
        }
        catch (JsonException)
        {
            return Cut(body.Trim());
        }
    }

    /// <summary>Message of a JSON error value (string, or object with message/error/detail).</summary>
    public static string? FromElement(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.Array:
                return FromDetailList(element);
            case JsonValueKind.Object:
                foreach (var name in (ReadOnlySpan<string>)["error", "detail", "message", "msg"])
                {
                    if (element.TryGetProperty(name, out var inner) && FromElement(inner) is { Length: > 0 } text)
                    {
                        return text;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static string? FromDetailList(JsonElement list)
    {
        var sb = new StringBuilder();
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var msg = item.TryGetProperty("msg", out var m) ? m.GetString() : null;
            var loc = item.TryGetProperty("loc", out var l) && l.ValueKind == JsonValueKind.Array
                ? string.Join('.', l.EnumerateArray().Select(x => x.ToString()).Where(x => x != "body"))
                : null;
            if (msg is null)
            {
                continue;
            }

            if (sb.Length > 0)
            {
                sb.Append("; ");
            }

            sb.Append(string.IsNullOrEmpty(loc) ? msg : $"{loc}: {msg}");
        }

        return sb.Length > 0 ? sb.ToString() : null;
    }

    private static string Cut(string text) => text.Length <= MaxChars ? text : text[..MaxChars] + "…";
}
