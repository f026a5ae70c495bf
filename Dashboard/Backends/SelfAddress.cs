namespace Dashboard.Backends;

/// <summary>
/// Picks the loopback http address this app can call itself on, from the addresses the server
/// listens on: a wildcard or <c>localhost</c> binding (0.0.0.0, [::], +, *, localhost) is reached
/// through 127.0.0.1 on the same port.
/// </summary>
public static class SelfAddress
{
    public static Uri? Pick(IEnumerable<string> listenAddresses)
    {
        var candidates = listenAddresses
            .Select(Parse)
            .OfType<(string Scheme, string Host, int Port, int Rank)>()
            .OrderBy(c => c.Scheme == Uri.UriSchemeHttp ? 0 : 1)
            .ThenBy(c => c.Rank)
            .ToList();
        return candidates.Count == 0
            ? null
            : new Uri($"{candidates[0].Scheme}://{candidates[0].Host}:{candidates[0].Port}/");
    }

    private static (string Scheme, string Host, int Port, int Rank)? Parse(string address)
    {
        // Not Uri: "http://+:80" and "http://*:80" are valid listen addresses but not URIs.
        var schemeEnd = address.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            return null;
        }

        var scheme = address[..schemeEnd].ToLowerInvariant();
        if (scheme is not ("http" or "https"))
        {
            return null;
        }

        var rest = address[(schemeEnd + 3)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash >= 0 ? rest[..slash] : rest;
        var colon = authority.LastIndexOf(':');
        if (colon <= 0 || authority.EndsWith(']') || !int.TryParse(authority[(colon + 1)..], out var port) || port is <= 0 or > 65535)
        {
            return null;
        }

        var host = authority[..colon].ToLowerInvariant();
        return host switch
        {
            "127.0.0.1" => (scheme, host, port, 0),
            "0.0.0.0" or "[::]" or "+" or "*" or "localhost" => (scheme, "127.0.0.1", port, 1),
            "[::1]" => (scheme, host, port, 2),
            _ => (scheme, host, port, 3),
        };
    }
}
