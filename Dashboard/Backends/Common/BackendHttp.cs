using System.Text;
using Dashboard.Configuration;

namespace Dashboard.Backends.Common;

/// <summary>
/// HTTP plumbing shared by the backend clients: one named IHttpClientFactory client per backend,
/// and every request carries the backend's configured <see cref="BackendOptions.Headers"/>.
/// </summary>
public static class BackendHttp
{
    /// <summary>Longest error or JSON body read from an upstream answer.</summary>
    public const int MaxBodyChars = 1024 * 1024;

    public static string ClientName(string backend) => "backend:" + backend;

    public static HttpClient CreateClient(this IHttpClientFactory factory, BackendOptions options) =>
        factory.CreateClient(ClientName(options.Name));

    public static HttpRequestMessage NewRequest(this BackendOptions options, HttpMethod method, Uri uri, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, uri) { Content = content };
        foreach (var (name, value) in options.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }

    public static HttpRequestMessage NewRequest(this BackendOptions options, HttpMethod method, string relativePath, HttpContent? content = null) =>
        options.NewRequest(method, UpstreamUrl.Join(options.BaseUrl ?? throw new InvalidOperationException($"Backend {options.Name} has no BaseUrl."), relativePath), content);

    /// <summary>The body as text, cut at <paramref name="maxChars"/> (an upstream cannot make us buffer without bound).</summary>
    public static async Task<string> ReadBodyAsync(this HttpResponseMessage response, CancellationToken cancellationToken, int maxChars = MaxBodyChars)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var buffer = new char[Math.Min(maxChars, 16 * 1024)];
        var text = new StringBuilder();
        int read;
        while (text.Length < maxChars && (read = await reader.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, maxChars - text.Length)), cancellationToken)) > 0)
        {
            text.Append(buffer, 0, read);
        }

        return text.ToString();
    }

    /// <summary>Throws <see cref="UpstreamHttpException"/> with the upstream's own message on a non-2xx answer.</summary>
    public static async Task EnsureSuccessAsync(this HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new UpstreamHttpException((int)response.StatusCode, await response.ReadBodyAsync(cancellationToken, 64 * 1024));
        }
    }
}
