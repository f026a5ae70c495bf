using System.Net;

namespace Dashboard.Security;

/// <summary>Decides whether a listening address or a client is loopback (127.0.0.0/8, ::1, localhost).</summary>
public static class LoopbackAddresses
{
    /// <summary>
    /// A server address as Kestrel takes it (<c>http://127.0.0.1:5102</c>, <c>http://+:80</c>,
    /// <c>https://localhost:0</c>). Wildcards, host names and unparsable values are not loopback.
    /// </summary>
    public static bool IsLoopbackUrl(string address)
    {
        var trimmed = address.Trim();
        var schemeEnd = trimmed.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            return false;
        }

        var rest = trimmed[(schemeEnd + 3)..];
        var hostEnd = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = hostEnd >= 0 ? rest[..hostEnd] : rest;
        return IsLoopbackHost(StripPort(authority));
    }

    public static bool IsLoopbackHost(string host)
    {
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        return IPAddress.TryParse(bare, out var ip) && IPAddress.IsLoopback(ip);
    }

    /// <summary>
    /// True when the request comes from this machine. No remote address at all means an
    /// in-process or Unix-socket transport, which is local by nature.
    /// </summary>
    public static bool IsLoopbackClient(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null)
        {
            return true;
        }

        if (remote.IsIPv4MappedToIPv6)
        {
            remote = remote.MapToIPv4();
        }

        return IPAddress.IsLoopback(remote);
    }

    private static string StripPort(string authority)
    {
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            return close > 0 ? authority[..(close + 1)] : authority;
        }

        var colon = authority.LastIndexOf(':');
        return colon >= 0 ? authority[..colon] : authority;
    }
}
