namespace Dashboard.Configuration;

/// <summary>
/// How the dashboard sits behind a reverse proxy: <c>Dashboard:PathBase</c> (the path it is served
/// under, e.g. <c>/dashboard</c>) and <c>Dashboard:ForwardedHeaders:*</c> (which proxies may tell
/// it the client's address and scheme). <c>Dashboard:PublicUrl</c> lives on <see cref="DashboardOptions"/>.
/// </summary>
public sealed class ProxyOptions
{
    public string? PathBase { get; set; }

    public ForwardedHeadersSettings ForwardedHeaders { get; set; } = new();

    /// <summary>The path base as ASP.NET Core takes it: empty, or "/x" without a trailing slash.</summary>
    public PathString NormalizedPathBase =>
        string.IsNullOrWhiteSpace(PathBase) || PathBase.Trim() == "/"
            ? PathString.Empty
            : new PathString("/" + PathBase.Trim().Trim('/'));
}

/// <summary><c>Dashboard:ForwardedHeaders</c>: proxies trusted for X-Forwarded-For/-Proto, besides loopback.</summary>
public sealed class ForwardedHeadersSettings
{
    /// <summary>IP addresses of proxies (e.g. 10.0.0.5).</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of proxies in CIDR form (e.g. 10.0.0.0/8).</summary>
    public List<string> KnownNetworks { get; set; } = [];
}
