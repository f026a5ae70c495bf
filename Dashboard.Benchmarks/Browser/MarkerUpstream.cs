using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dashboard.Benchmarks.Infrastructure;
using Dashboard.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Dashboard.Benchmarks.Browser;

/// <summary>
/// The latency generator on loopback. Each connection gets its own paced sequence of markers
/// <c>⟦m{i}t{sendMs}⟧</c>, where sendMs is the wall-clock time (Unix ms, µs precision) just before
/// the event is written: the browser on the same machine reads the same clock. Two wire variants
/// of one generator: <c>POST /v1/chat/completions</c> (OpenAI chat chunks, what the dashboard's
/// ingest reads) and <c>GET /ticks</c> (plain <c>data:</c> for the browser's own EventSource).
/// <c>GET /floor</c> is the minimal static page that shows <c>/ticks</c>.
/// </summary>
public sealed class MarkerUpstream : IAsyncDisposable
{
    // A blank line every few markers: the streamed answer has paragraphs, as real answers do.
    private const int MarkersPerParagraph = 10;

    private readonly int _perSecond;
    private readonly int _count;
    private LoopbackUpstream? _server;

    private MarkerUpstream(int perSecond, int count)
    {
        _perSecond = perSecond;
        _count = count;
    }

    public Uri BaseAddress => _server?.Root ?? throw new InvalidOperationException("Not started.");

    public Uri ChatUri => new(BaseAddress, "v1/chat/completions");

    public Uri FloorPageUri => new(BaseAddress, "floor");

    public static async Task<MarkerUpstream> StartAsync(int perSecond, int count)
    {
        var upstream = new MarkerUpstream(perSecond, count);
        upstream._server = await LoopbackUpstream.StartAsync(app =>
        {
            app.MapPost("/v1/chat/completions", upstream.ChatAsync);
            app.MapGet("/ticks", upstream.TicksAsync);
            app.MapGet("/floor", () => Results.Content(FloorPage, "text/html; charset=utf-8"));
        });
        return upstream;
    }

    /// <summary>Wall-clock Unix milliseconds with sub-millisecond precision.</summary>
    public static double NowUnixMs() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;

    public static string Marker(int i, double sendMs) => $"⟦m{i}t{sendMs.ToString("F3", CultureInfo.InvariantCulture)}⟧ ";

    private Task ChatAsync(HttpContext context) => PaceAsync(context, text =>
        "data: " + JsonSerializer.Serialize(new
        {
            id = "chatcmpl-bench",
            @object = "chat.completion.chunk",
            model = "bench",
            choices = new[] { new { index = 0, delta = new { content = text } } },
        }) + "\n\n",
        "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"model\":\"bench\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");

    // EventSource strips one leading space and joins data lines with LF: each line is its own data: field.
    private Task TicksAsync(HttpContext context) => PaceAsync(context, text =>
        string.Concat(text.Split('\n').Select(line => "data: " + line + "\n")) + "\n",
        "event: end\ndata: end\n\n");

    private async Task PaceAsync(HttpContext context, Func<string, string> frame, string end)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.Body.FlushAsync(context.RequestAborted);
        var start = Stopwatch.GetTimestamp();
        var ticksPerEvent = (double)Stopwatch.Frequency / _perSecond;
        for (var i = 0; i < _count; i++)
        {
            var due = start + (long)(i * ticksPerEvent);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, context.RequestAborted);
            }

            var text = Marker(i, NowUnixMs()) + ((i + 1) % MarkersPerParagraph == 0 ? "\n\n" : "");
            await context.Response.WriteAsync(frame(text), Encoding.UTF8, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }

        await context.Response.WriteAsync(end, Encoding.UTF8, context.RequestAborted);
    }

    private const string FloorPage = """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>floor</title></head>
        <body><div id="out"></div>
        <script>
          const out = document.getElementById('out');
          const source = new EventSource('/ticks');
          source.onmessage = e => out.appendChild(document.createTextNode(e.data));
          source.addEventListener('end', () => source.close());
        </script></body></html>
        """;

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
