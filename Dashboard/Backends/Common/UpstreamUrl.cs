namespace Dashboard.Backends.Common;

/// <summary>
/// Joins a backend's base URL (what the upstream's own SDK calls it, path prefix allowed) with a
/// relative path: "http://h/api" + "generations/x" → "http://h/api/generations/x".
/// </summary>
public static class UpstreamUrl
{
    public static Uri Join(string baseUrl, string relativePath)
    {
        var root = baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/";
        return new Uri(new Uri(root, UriKind.Absolute), relativePath.TrimStart('/'));
    }
}
