namespace Dashboard.Configuration;

/// <summary>Backend names appear in URLs (/api/backends/{name}/events) and are compared case-insensitively.</summary>
public static class BackendNames
{
    public static StringComparer Comparer => StringComparer.OrdinalIgnoreCase;

    public static bool IsValid(string name) =>
        name.Length is > 0 and <= 100 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
