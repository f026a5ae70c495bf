using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dashboard.Tests.Ingest;

/// <summary>
/// A real Kestrel server on 127.0.0.1:0 whose every request is answered by a test-supplied
/// handler (given the 1-based request number). Records what each request carried.
/// </summary>
internal sealed class LoopbackSseServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _count;

    private LoopbackSseServer(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public int RequestCount => Volatile.Read(ref _count);

    public static async Task<LoopbackSseServer> StartAsync(Func<HttpContext, int, Task> handle)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new LoopbackSseServer(app);
        app.Run(async context =>
        {
            var number = Interlocked.Increment(ref server._count);
            server.Requests.Enqueue(new RecordedRequest(
                number,
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                context.Request.Headers["Last-Event-ID"].FirstOrDefault(),
                context.Request.Headers.Accept.ToString()));
            await handle(context, number);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        return server;
    }

    /// <summary>Starts an event stream response (status 200, text/event-stream unless given).</summary>
    public static async Task BeginStreamAsync(HttpContext context, string contentType = "text/event-stream")
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = contentType;
        await context.Response.Body.FlushAsync();
    }

    /// <summary>Writes <paramref name="bytes"/> in pieces of 1–7 bytes, flushing each so it leaves as its own chunk.</summary>
    public static async Task WriteInPiecesAsync(HttpContext context, ReadOnlyMemory<byte> bytes, Random random)
    {
        var start = 0;
        while (start < bytes.Length)
        {
            var length = Math.Min(bytes.Length - start, random.Next(1, 8));
            await context.Response.Body.WriteAsync(bytes.Slice(start, length));
            await context.Response.Body.FlushAsync();
            start += length;
        }
    }

    public static async Task WriteAsync(HttpContext context, string text)
    {
        await context.Response.WriteAsync(text);
        await context.Response.Body.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal sealed record RecordedRequest(int Number, string Method, string PathAndQuery, string? LastEventId, string Accept);
