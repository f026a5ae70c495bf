using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace Dashboard.Demo;

/// <summary>Writes an SSE response the way the Python upstreams do: <c>data:</c> lines only, flushed per event.</summary>
public static class DemoSse
{
    public const string ContentType = "text/event-stream; charset=utf-8";

    public static async Task StartAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        response.HttpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.Body.FlushAsync(cancellationToken);
    }

    public static async Task WriteDataAsync(HttpResponse response, string data, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes("data: " + data + "\n\n"), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    /// <summary>A JSON response with the exact text given (status codes and bodies as the real server sends them).</summary>
    public static IResult Json(string json, int statusCode = StatusCodes.Status200OK) =>
        Results.Text(json, "application/json", Encoding.UTF8, statusCode);
}
