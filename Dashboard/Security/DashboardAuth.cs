namespace Dashboard.Security;

/// <summary>Names other parts use to put their endpoints under the dashboard's sign-in rules.</summary>
public static class DashboardAuth
{
    /// <summary>Cookie scheme of the browser (pages, the Blazor circuit).</summary>
    public const string CookieScheme = "DashboardCookie";

    /// <summary><c>Authorization: Bearer &lt;token&gt;</c> scheme of the JSON API.</summary>
    public const string BearerScheme = "DashboardBearer";

    /// <summary>Default scheme: picks <see cref="BearerScheme"/> under <see cref="ApiPath"/>, <see cref="CookieScheme"/> elsewhere.</summary>
    public const string SelectorScheme = "Dashboard";

    /// <summary>Policy of the JSON API: bearer token only, cookies are never accepted there.</summary>
    public const string ApiPolicy = "DashboardApi";

    public const string ApiPath = "/api";

    public const string CircuitPath = "/_blazor";

    /// <summary>The live event hub (SignalR): the API's bearer token, also as <c>?access_token=</c> (WebSockets cannot send headers).</summary>
    public const string EventsHubPath = "/hubs/events";

    /// <summary>The embedded demo upstreams: reached anonymously, from loopback clients only.</summary>
    public const string DemoPath = "/demo";

    public const string LoginPath = "/login";

    public const string LogoutPath = "/logout";

    /// <summary>Query parameter of the sign-in link.</summary>
    public const string TokenParameter = "t";

    /// <summary>Largest request body the JSON API reads; larger ones get 413.</summary>
    public const long ApiMaxRequestBodyBytes = 1024 * 1024;
}
