namespace Dashboard.Security;

/// <summary>
/// <c>Dashboard:PublicUrl</c>: the address users type (scheme, host, port, path base), when a
/// proxy puts the dashboard somewhere its own socket does not know.
/// </summary>
public static class PublicAddress
{
    /// <summary>The URL without a trailing slash, or null when it is not an absolute http(s) URL without query or fragment.</summary>
    public static Uri? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)
            || !Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.Query.Length > 0
            || uri.Fragment.Length > 0
            || uri.UserInfo.Length > 0)
        {
            return null;
        }

        return new Uri(uri.GetLeftPart(UriPartial.Path).TrimEnd('/'));
    }

    /// <summary>Scheme, host and port of <paramref name="origin"/> (an Origin header) equal those of <paramref name="publicUrl"/>.</summary>
    public static bool IsOriginOf(string origin, string? publicUrl)
    {
        if (Parse(publicUrl) is not { } own
            || !Uri.TryCreate(origin, UriKind.Absolute, out var originUri)
            || originUri.AbsolutePath != "/")
        {
            return false;
        }

        return string.Equals(originUri.Scheme, own.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(originUri.IdnHost, own.IdnHost, StringComparison.OrdinalIgnoreCase)
            && originUri.Port == own.Port;
    }
}
