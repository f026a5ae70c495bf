using System.Globalization;
using System.Text;

namespace Dashboard.Domain;

/// <summary>
/// The one place an upstream-controlled string is held to a byte budget (UTF-8 bytes, as it
/// arrived on the wire). A value over budget is cut at a character boundary and marked
/// ("… cut at 16 KB"), so what is stored and shown stays bounded and says it was cut.
/// </summary>
public static class ByteBudget
{
    /// <summary>The marker's start; a cut value ends with <c>Marker + size</c>.</summary>
    public const string Marker = "… cut at ";

    /// <summary>
    /// <paramref name="value"/> unchanged when it fits <paramref name="maxBytes"/>, else its
    /// longest prefix that fits (with the marker) followed by the marker; <paramref name="cut"/> says which.
    /// </summary>
    public static string Cut(string value, int maxBytes, out bool cut)
    {
        ArgumentNullException.ThrowIfNull(value);
        // Cheap bound first: a char is at most 3 UTF-8 bytes, so short strings need no count.
        if (value.Length * 3L <= maxBytes || Encoding.UTF8.GetByteCount(value) <= maxBytes)
        {
            cut = false;
            return value;
        }

        cut = true;
        var marker = Marker + Size(maxBytes);
        var room = Math.Max(0, maxBytes - Encoding.UTF8.GetByteCount(marker));
        return value[..PrefixChars(value, room)] + marker;
    }

    /// <summary><see cref="Cut(string, int, out bool)"/> for optional values.</summary>
    public static string? Cut(string? value, int maxBytes, ref long cutCount)
    {
        if (value is null)
        {
            return null;
        }

        var result = Cut(value, maxBytes, out var cut);
        // Also counted: a value the hub's budget boundary already cut to this same budget.
        if (cut || EndsWithMarker(value, maxBytes))
        {
            cutCount++;
        }

        return result;
    }

    // Looked for in the value's tail without making the marker's string: this runs for every
    // stage name, message and inspector item on the ingest path, and almost none carries a marker.
    private static bool EndsWithMarker(string value, int maxBytes)
    {
        const int longestSize = 24;
        var tail = value.AsSpan(Math.Max(0, value.Length - (Marker.Length + longestSize)));
        var at = tail.LastIndexOf(Marker.AsSpan(), StringComparison.Ordinal);
        return at >= 0 && tail[(at + Marker.Length)..].SequenceEqual(Size(maxBytes));
    }

    /// <summary>The longest prefix of <paramref name="value"/> within <paramref name="maxBytes"/> UTF-8 bytes (unmarked).</summary>
    public static string Prefix(string value, int maxBytes) => value[..PrefixChars(value, Math.Max(0, maxBytes))];

    /// <summary>True when <paramref name="value"/> fits <paramref name="maxBytes"/> UTF-8 bytes.</summary>
    public static bool Fits(string value, int maxBytes) =>
        value.Length * 3L <= maxBytes || Encoding.UTF8.GetByteCount(value) <= maxBytes;

    /// <summary>UTF-8 bytes of <paramref name="value"/> (0 for null), for running totals.</summary>
    public static int Bytes(string? value) => value is null ? 0 : Encoding.UTF8.GetByteCount(value);

    /// <summary>"16 KB", "256 B", "4 MB": how budgets read in markers and messages.</summary>
    public static string Size(long bytes) => bytes switch
    {
        >= 1024 * 1024 when bytes % (1024 * 1024) == 0 => (bytes / (1024 * 1024)).ToString(CultureInfo.InvariantCulture) + " MB",
        >= 1024 when bytes % 1024 == 0 => (bytes / 1024).ToString(CultureInfo.InvariantCulture) + " KB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };

    // Chars of the longest prefix whose UTF-8 form fits `room` bytes, never splitting a surrogate pair.
    private static int PrefixChars(string value, int room)
    {
        var bytes = 0;
        var i = 0;
        while (i < value.Length)
        {
            int width;
            var step = 1;
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                width = 4;
                step = 2;
            }
            else
            {
                width = c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            }

            if (bytes + width > room)
            {
                break;
            }

            bytes += width;
            i += step;
        }

        return i;
    }
}
