using System.Collections.Concurrent;
using Dashboard.Benchmarks.Infrastructure;
using Dashboard.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Dashboard.Benchmarks.Ingest;

/// <summary>
/// Loopback upstream: <c>GET /codegen/{n}</c> writes n codegen progress events, <c>GET /chat/{n}</c>
/// n OpenAI chat chunks of one token each, as fast as the socket takes them. The bytes are built once per n, so the upstream itself allocates almost
/// nothing per request and every arm reads the very same stream.
/// </summary>
public sealed class CodegenUpstream : IAsyncDisposable
{
    private const int WriteSliceBytes = 64 * 1024;

    private readonly ConcurrentDictionary<int, byte[]> _streams = new();
    private readonly ConcurrentDictionary<int, byte[]> _chats = new();
    private LoopbackUpstream? _server;

    public Uri BaseAddress => _server?.Root ?? throw new InvalidOperationException("Not started.");

    public byte[] StreamOf(int events) => _streams.GetOrAdd(events, CodegenProgressStream.Build);

    public static async Task<CodegenUpstream> StartAsync()
    {
        var upstream = new CodegenUpstream();
        upstream._server = await LoopbackUpstream.StartAsync(app =>
        {
            app.MapGet("/codegen/{n:int}", upstream.WriteAsync);
            app.MapGet("/chat/{n:int}", upstream.WriteChatAsync);
        });
        return upstream;
    }

    public Uri StreamUri(int events) => new(BaseAddress, $"codegen/{events}");

    public Uri StreamUri(IngestWorkload workload, int events) =>
        workload == IngestWorkload.Codegen ? StreamUri(events) : new(BaseAddress, $"chat/{events}");

    public long StreamBytes(IngestWorkload workload, int events) =>
        workload == IngestWorkload.Codegen ? StreamOf(events).Length : _chats.GetOrAdd(events, ChatDeltaStream.Build).Length;

    private Task WriteAsync(HttpContext context, int n) => WriteBytesAsync(context, StreamOf(n));

    private Task WriteChatAsync(HttpContext context, int n) => WriteBytesAsync(context, _chats.GetOrAdd(n, ChatDeltaStream.Build));

    private static async Task WriteBytesAsync(HttpContext context, byte[] bytes)
    {
        context.Response.ContentType = "text/event-stream";
        for (var offset = 0; offset < bytes.Length; offset += WriteSliceBytes)
        {
            var slice = bytes.AsMemory(offset, Math.Min(WriteSliceBytes, bytes.Length - offset));
            await context.Response.BodyWriter.WriteAsync(slice, context.RequestAborted);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
