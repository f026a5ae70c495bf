using System.Data.Common;
using Dashboard.Storage;

namespace Dashboard.Api;

/// <summary>
/// A route that needs the history database while it is away (pin, delete, clear) answers 503 with
/// a Retry-After, not 500: the request was fine and is worth repeating. Reads answer from memory
/// meanwhile and never get here. The database's own message stays in the log: it may name hosts.
/// </summary>
internal sealed class HistoryUnavailableFilter(ILogger<HistoryUnavailableFilter> logger) : IEndpointFilter
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (DbException ex) when (!context.HttpContext.Response.HasStarted)
        {
            logger.LogWarning("{Method} {Path}: the history database is unavailable ({Error})",
                context.HttpContext.Request.Method, context.HttpContext.Request.Path, ex is HistoryUnavailableException ? ex.Message : ex.GetType().Name);
            context.HttpContext.Response.Headers.RetryAfter = Security.FailedAuthLimiter.RetryAfterSeconds(RetryAfter);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "History database unavailable",
                detail: "The history database cannot be reached right now; nothing was changed. Try again shortly.");
        }
    }
}
