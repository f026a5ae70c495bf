using System.Net;
using System.Net.NetworkInformation;
using Dashboard.Configuration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Dashboard.Security;

/// <summary>
/// DNS rebinding: a page on an attacker's name that resolves to this machine would otherwise be
/// same-origin with the dashboard. Every request's <c>Host</c> must be a name the dashboard is
/// known by (400 otherwise): loopback names, the addresses it is bound to (for an all-interfaces
/// bind, this machine's interface addresses and host name), the host of <c>Dashboard:PublicUrl</c>,
/// and the names in <c>AllowedHosts</c> (other than <c>*</c>, which the dashboard replaces with this list).
/// </summary>
public sealed class HostCheckMiddleware(RequestDelegate next, IServer server, IConfiguration configuration, IOptions<DashboardOptions> options)
{
    private HashSet<string>? _allowed;
    private string[] _suffixes = [];

    public Task InvokeAsync(HttpContext context)
    {
        var host = context.Request.Host;
        if (!host.HasValue || IsAllowed(host.Host))
        {
            return next(context);
        }

        BearerTokenHandler.SuppressStatusCodePage(context);
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return context.Response.WriteAsync("Unknown host: add it to Dashboard:PublicUrl or AllowedHosts.");
    }

    public bool IsAllowed(string host)
    {
        var bare = host.Trim('[', ']').TrimEnd('.');
        if (LoopbackAddresses.IsLoopbackHost(host) || LoopbackAddresses.IsLoopbackHost(bare))
        {
            return true;
        }

        // Built on first use: the bound addresses are known only once the server listens.
        var allowed = _allowed ??= Build();
        return allowed.Contains(bare) || _suffixes.Any(s => bare.EndsWith(s, StringComparison.OrdinalIgnoreCase));
    }

    private HashSet<string> Build()
    {
        var allowed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var suffixes = new List<string>();
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses)
        {
            var host = HostOf(address);
            if (host is null)
            {
                continue;
            }

            if (host is "+" or "*" or "0.0.0.0" or "::")
            {
                AddMachine(allowed);
            }
            else
            {
                allowed.Add(host);
            }
        }

        if (Uri.TryCreate(options.Value.PublicUrl, UriKind.Absolute, out var publicUrl))
        {
            allowed.Add(publicUrl.IdnHost.Trim('[', ']'));
        }

        var configured = configuration["AllowedHosts"]?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        foreach (var name in configured.Where(n => n != "*"))
        {
            if (name.StartsWith("*.", StringComparison.Ordinal))
            {
                suffixes.Add(name[1..]);
            }
            else
            {
                allowed.Add(name.Trim('[', ']'));
            }
        }

        _suffixes = [.. suffixes];
        return allowed;
    }

    private static void AddMachine(HashSet<string> allowed)
    {
        try
        {
            allowed.Add(Dns.GetHostName());
            foreach (var ip in NetworkInterface.GetAllNetworkInterfaces().SelectMany(n => n.GetIPProperties().UnicastAddresses))
            {
                var address = ip.Address;
                if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal)
                {
                    address = new IPAddress(address.GetAddressBytes());
                }

                allowed.Add(address.ToString());
            }
        }
        catch (NetworkInformationException)
        {
            // Interface listing is best effort: names can still be configured.
        }
    }

    private static string? HostOf(string address)
    {
        var schemeEnd = address.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return null;
        }

        var rest = address[(schemeEnd + 3)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash >= 0 ? rest[..slash] : rest;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            return close > 0 ? authority[1..close] : null;
        }

        var colon = authority.LastIndexOf(':');
        return colon >= 0 ? authority[..colon] : authority;
    }
}
