using Dashboard.Configuration;
using Microsoft.Extensions.Options;

namespace Dashboard.Security;

/// <summary>
/// The Blazor circuit (<c>/_blazor</c>: negotiate, WebSocket upgrade, long polling) and the live
/// event hub (<c>/hubs/events</c>) refuse a
/// request whose <c>Origin</c> is another site: a WebSocket handshake is not subject to CORS, so
/// this is what stops a foreign page from driving a signed-in user's circuit. Requests without
/// <c>Origin</c> (non-browser clients) still need the cookie. Behind a proxy the request's own
/// origin comes from the forwarded headers; <c>Dashboard:PublicUrl</c>'s origin is accepted too.
/// </summary>
public sealed class CircuitOriginMiddleware(RequestDelegate next, IOptions<DashboardOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        if ((context.Request.Path.StartsWithSegments(DashboardAuth.CircuitPath) || context.Request.Path.StartsWithSegments(DashboardAuth.EventsHubPath))
            && context.Request.Headers.Origin is { Count: > 0 } origin
            && !IsSameOrigin(origin.ToString(), context.Request)
            && !PublicAddress.IsOriginOf(origin.ToString(), options.Value.PublicUrl))
        {
            BearerTokenHandler.SuppressStatusCodePage(context);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return context.Response.WriteAsync("Cross-origin requests to the dashboard's SignalR hubs are refused.");
        }

        return next(context);
    }

    /// <summary>Scheme, host and port of <paramref name="origin"/> equal the request's own (its Host header).</summary>
    public static bool IsSameOrigin(string origin, HttpRequest request)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var originUri)
            || !Uri.TryCreate($"{request.Scheme}://{request.Host.Value}", UriKind.Absolute, out var own))
        {
            return false;
        }

        return originUri.AbsolutePath == "/"
            && string.Equals(originUri.Scheme, own.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(originUri.IdnHost, own.IdnHost, StringComparison.OrdinalIgnoreCase)
            && originUri.Port == own.Port;
    }
}
