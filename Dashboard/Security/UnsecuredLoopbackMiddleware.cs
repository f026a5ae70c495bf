namespace Dashboard.Security;

/// <summary>
/// In <see cref="DashboardAuthMode.Unsecured"/> mode, a second line behind the start-up check:
/// a request from a non-loopback client (a proxy or a port forward that reaches the socket) is
/// refused.
/// </summary>
public sealed class UnsecuredLoopbackMiddleware(RequestDelegate next, SignInToken token)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (token.Mode == DashboardAuthMode.Unsecured && !LoopbackAddresses.IsLoopbackClient(context))
        {
            BearerTokenHandler.SuppressStatusCodePage(context);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return context.Response.WriteAsync("This dashboard runs unsecured and answers loopback clients only.");
        }

        return next(context);
    }
}
