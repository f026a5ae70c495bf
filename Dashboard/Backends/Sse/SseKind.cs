using Dashboard.Domain;
using Dashboard.Backends.Common;
using Dashboard.Configuration;
using Dashboard.Ingest;

namespace Dashboard.Backends.Sse;

/// <summary>Any SSE endpoint, raw (inspector only).</summary>
public sealed class SseKind : IBackendKind
{
    public const string Name = "sse";

    public string Kind => Name;

    public BackendCapabilities Capabilities => BackendCapabilities.AlwaysOnStream;

    public IEnumerable<string> ValidateOptions(BackendOptions options, string keyPrefix)
    {
        if (OptionRules.HttpUrl(options.Url, $"{keyPrefix}:Url", Kind) is { } url)
        {
            yield return url;
        }

        var method = options.Method;
        if (method is not null && !string.Equals(method, "GET", StringComparison.OrdinalIgnoreCase) && !string.Equals(method, "POST", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"{keyPrefix}:Method must be GET or POST for kind {Kind}";
        }

        if (options.Body is not null && !string.Equals(method, "POST", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"{keyPrefix}:Body is only sent with {keyPrefix}:Method POST for kind {Kind}";
        }
    }

    public IBackendClient CreateClient(BackendOptions options, IServiceProvider services) => new SseClient(
        options,
        services.GetRequiredService<ISseStreamRunner>(),
        BackendServices.EventSink(services),
        BackendServices.Clock(services));
}
