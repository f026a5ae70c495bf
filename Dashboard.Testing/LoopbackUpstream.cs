using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dashboard.Testing;

/// <summary>
/// The one loopback server of tests and benchmarks: a real Kestrel server on 127.0.0.1:0 that plays
/// an upstream (or any other site: an attacker's page, the demo endpoints) from raw strings and
/// bytes (it shares no type with the decoders): either routes a caller maps, or one handler that
/// answers every request and records what each carried.
/// </summary>
public sealed class LoopbackUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _count;

    private LoopbackUpstream(WebApplication app, Uri root)
    {
        _app = app;
        Root = root;
    }

    /// <summary>Root address, ending in "/".</summary>
    public Uri Root { get; }

    /// <summary>Root address as a string, ending in "/".</summary>
    public string BaseUrl => Root.ToString();

    /// <summary>Requests answered by the handler of <see cref="StartAsync(Func{HttpContext, int, Task})"/>, in arrival order.</summary>
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public int RequestCount => Volatile.Read(ref _count);

    public static Task<LoopbackUpstream> StartAsync(Action<WebApplication> map) => StartAsync(_ => { }, map);

    /// <param name="configure">Settings and services of the slim app (before it is built).</param>
    /// <param name="map">Middleware and routes.</param>
    public static async Task<LoopbackUpstream> StartAsync(Action<WebApplicationBuilder> configure, Action<WebApplication> map)
    {
        ArgumentNullException.ThrowIfNull(configure);
        ArgumentNullException.ThrowIfNull(map);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        configure(builder);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new LoopbackUpstream(app, new Uri(address.TrimEnd('/') + "/"));
    }

    /// <param name="handle">Answers one request; the int is its number, from 1.</param>
    public static async Task<LoopbackUpstream> StartAsync(Func<HttpContext, int, Task> handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        LoopbackUpstream? self = null;
        self = await StartAsync(app => app.Run(async context =>
        {
            var number = Interlocked.Increment(ref self!._count);
            // Buffered and rewound, so the handler can still read the body itself.
            context.Request.EnableBuffering();
            string body;
            using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8, leaveOpen: true))
            {
                body = await reader.ReadToEndAsync(context.RequestAborted);
            }

            context.Request.Body.Position = 0;
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            self.Requests.Enqueue(new RecordedRequest(number, context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body));
            await handle(context, number);
        }));
        return self;
    }

    /// <summary>Base URL with a path prefix, as a proxy or gateway would have it (no trailing "/").</summary>
    public string BaseUrlAt(string prefix) => new Uri(Root, prefix).ToString().TrimEnd('/');

    public IServiceProvider Services => _app.Services;

    /// <summary>Sets the event-stream content type; the headers leave with the first write.</summary>
    public static void StartEventStream(HttpContext context, string contentType = "text/event-stream") =>
        context.Response.ContentType = contentType;

    /// <summary>Starts an event stream response and sends its headers now (status 200, text/event-stream unless given).</summary>
    public static async Task BeginStreamAsync(HttpContext context, string contentType = "text/event-stream")
    {
        context.Response.StatusCode = 200;
        StartEventStream(context, contentType);
        await context.Response.Body.FlushAsync();
    }

    /// <summary>Writes raw text (UTF-8) and flushes it onto the socket.</summary>
    public static async Task WriteAsync(HttpContext context, string text)
    {
        await context.Response.WriteAsync(text);
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

    /// <summary>A whole SSE answer in one write (charset named, as LLM vendors send it).</summary>
    public static async Task SseAsync(HttpContext context, string sse)
    {
        context.Response.ContentType = "text/event-stream; charset=utf-8";
        await context.Response.WriteAsync(sse, context.RequestAborted);
    }

    /// <summary>Bytes (a shared fixture, say), as they are, as an event stream.</summary>
    public static async Task EventStreamAsync(HttpContext context, ReadOnlyMemory<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(context);
        StartEventStream(context);
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    public static async Task JsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json, context.RequestAborted);
    }

    /// <summary>Keeps the response open until the client goes away.</summary>
    public static async Task HoldOpenAsync(HttpContext context)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Stops the server (as its host's shutdown does) without disposing it yet.</summary>
    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>What one request carried (header names are case-insensitive).</summary>
public sealed record RecordedRequest(int Number, string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? LastEventId => Headers.GetValueOrDefault("Last-Event-ID");

    public string Accept => Headers.GetValueOrDefault("Accept") ?? "";
}
