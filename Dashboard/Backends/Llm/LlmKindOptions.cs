using Dashboard.Configuration;

namespace Dashboard.Backends.Llm;

/// <summary>Start-up checks shared by the LLM kinds; every message names the key to fix.</summary>
public static class LlmKindOptions
{
    /// <param name="defaultBaseUrl">The SDK's own default (used when BaseUrl is empty), or null when a base URL is required.</param>
    public static IEnumerable<string> Validate(
        BackendOptions options, string keyPrefix, string kind, string? defaultBaseUrl, bool requireApiKey, bool requireModel)
    {
        if (string.IsNullOrWhiteSpace(options.BaseUrl))
        {
            if (defaultBaseUrl is null)
            {
                yield return $"{keyPrefix}:BaseUrl is required for kind {kind}.";
            }
        }
        else if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            yield return $"{keyPrefix}:BaseUrl must be an absolute http(s) URL for kind {kind}.";
        }

        if (requireApiKey && string.IsNullOrWhiteSpace(options.ApiKey))
        {
            yield return $"{keyPrefix}:ApiKey is required for kind {kind}.";
        }

        if (requireModel && string.IsNullOrWhiteSpace(options.Model))
        {
            yield return $"{keyPrefix}:Model is required for kind {kind} (the upstream refuses a request without one).";
        }
    }

    public static string BaseUrlOf(BackendOptions options, string? defaultBaseUrl) =>
        string.IsNullOrWhiteSpace(options.BaseUrl) ? defaultBaseUrl ?? throw new InvalidOperationException("BaseUrl is not configured.") : options.BaseUrl;
}
