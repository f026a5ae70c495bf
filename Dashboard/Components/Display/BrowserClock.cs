using System.Globalization;

namespace Dashboard.Components.Display;

/// <summary>
/// The reader's time zone, found once per circuit (a cookie the browser sets, confirmed through JS
/// after the first render), and the formats every page shows times in: 24-hour, in that zone,
/// with UTC only in the tooltip. Until the zone is known (the very first load, before the
/// circuit asks), times are in UTC; the tooltip says so.
/// </summary>
public sealed record BrowserClock(TimeZoneInfo Zone, bool Known)
{
    public static readonly BrowserClock Unknown = new(TimeZoneInfo.Utc, false);

    /// <summary>The clock for an IANA (or Windows) zone id from the browser; <see cref="Unknown"/> when the id is missing or not a zone.</summary>
    public static BrowserClock For(string? zoneId) =>
        !string.IsNullOrWhiteSpace(zoneId) && zoneId.Length <= 64 && TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var zone)
            ? new BrowserClock(zone, true)
            : Unknown;

    public DateTimeOffset Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Zone);

    /// <summary>The time in the reader's zone.</summary>
    public string Format(DateTimeOffset at, string format = TimeFormats.Time) =>
        Local(at).ToString(format, CultureInfo.InvariantCulture);

    /// <summary>The tooltip: the same instant in UTC, with the date.</summary>
    public static string Utc(DateTimeOffset at) =>
        at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>"12 s ago", "3 min ago", "2 h ago", "4 d ago": only ever shown next to the clock time.</summary>
    public static string Relative(DateTimeOffset at, DateTimeOffset now)
    {
        var ago = now - at;
        if (ago < TimeSpan.Zero)
        {
            return "just now";
        }

        return ago.TotalSeconds < 60 ? $"{(int)ago.TotalSeconds} s ago"
            : ago.TotalMinutes < 60 ? $"{(int)ago.TotalMinutes} min ago"
            : ago.TotalHours < 48 ? $"{(int)ago.TotalHours} h ago"
            : $"{(int)ago.TotalDays} d ago";
    }
}

/// <summary>The formats of shown times: 24-hour everywhere.</summary>
public static class TimeFormats
{
    public const string Time = "HH:mm:ss";
    public const string TimeMs = "HH:mm:ss.fff";
    public const string DateTime = "yyyy-MM-dd HH:mm:ss";
    public const string ShortDateTime = "MM-dd HH:mm";
}
