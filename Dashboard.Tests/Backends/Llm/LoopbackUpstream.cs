using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dashboard.Tests.Backends.Llm;

/// <summary>
/// A real Kestrel server on 127.0.0.1:0 that plays an LLM upstream from raw strings and fixture
/// bytes (it shares no type with the decoders). Records every request it gets.
/// </summary>
internal sealed class LoopbackUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackUpstream(WebApplication app, Uri root)
    {
        _app = app;
        Root = root;
    }

    public Uri Root { get; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <param name="handle">Answers one request; the int is its number, from 1.</param>
    public static async Task<LoopbackUpstream> StartAsync(Func<HttpContext, int, Task> handle)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        LoopbackUpstream? self = null;
        var count = 0;
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            self!.Requests.Enqueue(new RecordedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body));
            await handle(context, Interlocked.Increment(ref count));
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        self = new LoopbackUpstream(app, new Uri(address));
        return self;
    }

    /// <summary>Base URL with a path prefix, as a proxy or gateway would have it.</summary>
    public string BaseUrl(string prefix) => new Uri(Root, prefix).ToString().TrimEnd('/');

    public static async Task SseAsync(HttpContext context, string sse)
    {
        context.Response.ContentType = "text/event-stream; charset=utf-8";
        await context.Response.WriteAsync(sse, context.RequestAborted);
    }

    public static async Task FixtureAsync(HttpContext context, string file)
    {
        context.Response.ContentType = "text/event-stream";
        await context.Response.Body.WriteAsync(await File.ReadAllBytesAsync(LlmFixtures.PathOf(file)), context.RequestAborted);
    }

    public static async Task JsonErrorAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal sealed record RecordedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body);
