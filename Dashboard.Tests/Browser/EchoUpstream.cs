using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dashboard.Tests.Browser;

/// <summary>
/// A careless upstream on 127.0.0.1: it refuses every request with 401 and echoes the whole
/// request (headers and body, credentials included) in its error body, as some servers do.
/// </summary>
public sealed class EchoUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoUpstream(WebApplication app) => _app = app;

    /// <summary>Every request as it arrived (method, path, headers, body).</summary>
    public ConcurrentQueue<string> Received { get; } = new();

    public string BaseUrl => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');

    public static async Task<EchoUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var upstream = new EchoUpstream(app);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            var echo = $"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}\n"
                + string.Join("\n", context.Request.Headers.Select(h => $"{h.Key}: {h.Value}"))
                + "\n\n" + body;
            upstream.Received.Enqueue(echo);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("refused: " + echo, context.RequestAborted);
        });
        await app.StartAsync();
        return upstream;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
