namespace Dashboard.Backends.Common;

/// <summary>Start-up checks of backend options, each message naming the configuration key to fix.</summary>
public static class OptionRules
{
    public static string? Required(string? value, string key, string kind) =>
        string.IsNullOrWhiteSpace(value) ? $"{key} is required for kind {kind}" : null;

    /// <summary>Required, absolute, http or https.</summary>
    public static string? HttpUrl(string? value, string key, string kind) =>
        Required(value, key, kind) ?? (Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? null
            : $"{key} must be an absolute http:// or https:// URL for kind {kind}");

    /// <summary>Drops the nulls, for a <c>ValidateOptions</c> made of the checks above.</summary>
    public static IEnumerable<string> Problems(params string?[] problems) => problems.OfType<string>();
}
