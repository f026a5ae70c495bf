using Microsoft.AspNetCore.Http;

namespace Dashboard.Components.Layout;

/// <summary>
/// What the browser told the server before the first paint, through cookies its head script sets:
/// its time zone and the chosen theme. The static host page reads them and hands them to the
/// interactive root as a parameter, so the prerendered page and the circuit start the same.
/// </summary>
public sealed record BrowserPreferences(string? TimeZone, bool? Dark)
{
    public const string TimeZoneCookie = "dashboard-tz";
    public const string ThemeCookie = "dashboard-theme";

    public static BrowserPreferences From(IRequestCookieCollection? cookies) => new(
        cookies?[TimeZoneCookie] is { Length: > 0 and <= 64 } zone ? zone : null,
        cookies?[ThemeCookie] switch
        {
            "dark" => true,
            "light" => false,
            _ => null,
        });
}
