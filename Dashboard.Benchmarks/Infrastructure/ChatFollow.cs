using System.Text;
using Dashboard.Backends.OpenAiChat;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Ingest;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Dashboard.Benchmarks.Infrastructure;

/// <summary>
/// Follows an OpenAI chat completions stream through the app's own ingest: its SSE runner and
/// OpenAI chat decoder publish what arrives into the app's hub as run <c>runId</c>'s events.
/// </summary>
public static class ChatFollow
{
    public static Task<StreamOutcome> RunAsync(TestApp app, Uri chatUri, string backend, string runId)
    {
        ArgumentNullException.ThrowIfNull(app);
        var hub = app.Services.GetRequiredService<IEventHub>();
        var runner = app.Services.GetRequiredService<ISseStreamRunner>();
        return runner.RunAsync(
            new SseStreamSpec
            {
                Backend = backend,
                HttpClientName = Options.DefaultName,
                CreateRequest = (_, _) => Task.FromResult(new HttpRequestMessage(HttpMethod.Post, chatUri)
                {
                    Content = new StringContent("""{"model":"bench","messages":[{"role":"user","content":"benchmark"}],"stream":true}""", Encoding.UTF8, "application/json"),
                }),
                Decoder = new OpenAiChatDecoder(),
                Context = new DecodeContext(backend, runId, hub, TimeProvider.System),
                ResumeAfterDrop = false,
            },
            CancellationToken.None);
    }
}
