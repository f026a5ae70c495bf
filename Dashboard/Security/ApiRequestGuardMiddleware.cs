using Dashboard.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Dashboard.Security;

/// <summary>
/// Cross-site request forgery, in every auth mode: an API request that changes state (any method
/// but GET, HEAD, OPTIONS) is refused with 403 when a browser sent an <c>Origin</c> that is not
/// the dashboard's own (<c>Dashboard:PublicUrl</c> when set, else the request's own origin), and
/// with 415 when it carries a body or a content type other than <c>application/json</c>. No
/// CORS-simple request (a form post, a no-cors fetch) can pass both: browsers send Origin on every
/// such request, and JSON is not a simple content type (it needs a preflight the API never grants).
/// </summary>
public sealed class ApiRequestGuardMiddleware(RequestDelegate next, IOptions<DashboardOptions> options)
{
    private readonly Uri? _publicUrl = Uri.TryCreate(options.Value.PublicUrl, UriKind.Absolute, out var url) ? url : null;

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments(DashboardAuth.ApiPath) || IsSafe(request.Method))
        {
            return next(context);
        }

        if (request.Headers.Origin is { Count: > 0 } origin && !IsOwnOrigin(origin.ToString(), request))
        {
            return RefuseAsync(context, StatusCodes.Status403Forbidden, "Cross-origin request refused",
                "Requests that change state are accepted only from the dashboard's own origin.");
        }

        if (!IsJsonOrEmpty(request))
        {
            return RefuseAsync(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                "Requests that change state take a body of Content-Type application/json (or no body at all).");
        }

        return next(context);
    }

    /// <summary>The dashboard's own origin: <c>Dashboard:PublicUrl</c> when configured, else the request's scheme and Host.</summary>
    public bool IsOwnOrigin(string origin, HttpRequest request)
    {
        if (_publicUrl is null)
        {
            return CircuitOriginMiddleware.IsSameOrigin(origin, request);
        }

        return Uri.TryCreate(origin, UriKind.Absolute, out var o)
            && o.AbsolutePath == "/"
            && string.Equals(o.Scheme, _publicUrl.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(o.IdnHost, _publicUrl.IdnHost, StringComparison.OrdinalIgnoreCase)
            && o.Port == _publicUrl.Port;
    }

    private static bool IsSafe(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);

    private static bool IsJsonOrEmpty(HttpRequest request)
    {
        var contentType = request.ContentType;
        if (string.IsNullOrEmpty(contentType))
        {
            // A request without a type must be without a body as well (a bare POST …/cancel).
            return request.ContentLength is null or 0 && !request.Headers.TransferEncoding.Any(v => !string.IsNullOrEmpty(v));
        }

        return MediaTypeHeaderValue.TryParse(contentType, out var media)
            && media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);
    }

    private static Task RefuseAsync(HttpContext context, int status, string title, string detail)
    {
        BearerTokenHandler.SuppressStatusCodePage(context);
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(
            new { type = "about:blank", title, status, detail },
            options: (System.Text.Json.JsonSerializerOptions?)null,
            contentType: "application/problem+json");
    }
}
