namespace Dashboard.Ingest.Sse;

/// <summary>
/// Reads a Content-Type the way a browser's EventSource does (the fetch standard's "extract a MIME
/// type", then the essence compared with <c>text/event-stream</c>), not with a strict header
/// parser: <c>text/event-stream;</c>, <c>TEXT/Event-Stream ; charset=x</c> and odd parameters are
/// accepted, a missing or different essence is not.
/// </summary>
public static class EventStreamMediaType
{
    public const string Essence = "text/event-stream";

    /// <summary>The essence (lower-case "type/subtype") of the raw Content-Type values, or null when none parses.</summary>
    public static string? Extract(IEnumerable<string> headerValues)
    {
        ArgumentNullException.ThrowIfNull(headerValues);
        string? essence = null;
        // Several header lines are one comma-joined list; the last MIME type that parses wins.
        foreach (var value in SplitOutsideQuotes(string.Join(",", headerValues)))
        {
            if (Parse(value) is { } parsed)
            {
                essence = parsed;
            }
        }

        return essence;
    }

    public static bool IsEventStream(IEnumerable<string> headerValues) =>
        string.Equals(Extract(headerValues), Essence, StringComparison.Ordinal);

    /// <summary>"Parse a MIME type", keeping only the essence: parameters never make a type invalid.</summary>
    private static string? Parse(string input)
    {
        var text = input.Trim(HttpWhitespace);
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            return null;
        }

        var type = text[..slash];
        var rest = text[(slash + 1)..];
        var semicolon = rest.IndexOf(';', StringComparison.Ordinal);
        var subtype = (semicolon >= 0 ? rest[..semicolon] : rest).TrimEnd(HttpWhitespace);
        return IsToken(type) && IsToken(subtype) ? $"{type}/{subtype}".ToLowerInvariant() : null;
    }

    private static IEnumerable<string> SplitOutsideQuotes(string value)
    {
        var start = 0;
        var quoted = false;
        for (var i = 0; i < value.Length; i++)
        {
            switch (value[i])
            {
                case '"':
                    quoted = !quoted;
                    break;
                case '\\' when quoted:
                    i++;
                    break;
                case ',' when !quoted:
                    yield return value[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return value[start..];
    }

    private static readonly char[] HttpWhitespace = [' ', '\t', '\n', '\r'];

    private static bool IsToken(string value) => value.Length > 0 && value.All(IsTokenChar);

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
}
