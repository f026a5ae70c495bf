using System.Text;
using Dashboard.Backends.Common;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Backends.Sse;

/// <summary>
/// Any SSE endpoint, shown raw in the inspector: an always-on stream at <see cref="BackendOptions.Url"/>
/// (GET, or POST with <see cref="BackendOptions.Body"/>). It starts no runs.
/// </summary>
public sealed class SseClient(BackendOptions options, ISseStreamRunner runner, IDomainEventSink sink, TimeProvider clock) : IAlwaysOnStream
{
    /// <summary>An arbitrary stream may be quiet on purpose: silence is shown as idle after this.</summary>
    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromSeconds(60);

    public BackendOptions Options { get; } = options;

    public async Task RunAlwaysOnAsync(CancellationToken cancellationToken)
    {
        await runner.RunAsync(new SseStreamSpec
        {
            Backend = Options.Name,
            HttpClientName = BackendHttp.ClientName(Options.Name),
            Decoder = new RawSseDecoder(),
            Context = new DecodeContext(Options.Name, null, sink, clock),
            Lifetime = StreamLifetime.AlwaysOn,
            SilenceIsIdle = true,
            StallTimeout = Options.StallTimeout ?? DefaultStallTimeout,
            CreateRequest = (_, _) => Task.FromResult(CreateRequest()),
        }, cancellationToken);
    }

    private HttpRequestMessage CreateRequest()
    {
        var post = string.Equals(Options.Method, "POST", StringComparison.OrdinalIgnoreCase);
        var content = post && Options.Body is { } body
            ? new StringContent(body, Encoding.UTF8, LooksLikeJson(body) ? "application/json" : "text/plain")
            : null;
        return Options.NewRequest(post ? HttpMethod.Post : HttpMethod.Get, new Uri(Options.Url!, UriKind.Absolute), content);
    }

    private static bool LooksLikeJson(string body) => body.TrimStart() is ['{', ..] or ['[', ..];
}
