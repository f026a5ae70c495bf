using Microsoft.AspNetCore.Authorization;

namespace Dashboard.Security;

/// <summary>
/// The one rule behind every dashboard endpoint: a signed-in user, or nobody needs to sign in
/// (<see cref="DashboardAuthMode.Unsecured"/>, bound to loopback). For the fallback policy it
/// also lets loopback clients reach <see cref="DashboardAuth.DemoPath"/> anonymously: the
/// dashboard's own ingest calls the embedded demo upstreams there without a cookie.
/// </summary>
public sealed class DashboardAccessRequirement(bool allowLoopbackDemo) : IAuthorizationRequirement
{
    public bool AllowLoopbackDemo { get; } = allowLoopbackDemo;
}

public sealed class DashboardAccessHandler(SignInToken token) : AuthorizationHandler<DashboardAccessRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, DashboardAccessRequirement requirement)
    {
        if (token.Mode == DashboardAuthMode.Unsecured
            || context.User.Identity?.IsAuthenticated == true
            || (requirement.AllowLoopbackDemo
                && context.Resource is HttpContext http
                && http.Request.Path.StartsWithSegments(DashboardAuth.DemoPath)
                && LoopbackAddresses.IsLoopbackClient(http)))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// Changing state needs the dashboard's own token: an API identity of the read-only token
/// (<see cref="BearerTokenHandler.ScopeClaim"/> = read) is refused (403). Unsecured mode has no tokens.
/// </summary>
public sealed class FullAccessRequirement : IAuthorizationRequirement;

public sealed class FullAccessHandler(SignInToken token) : AuthorizationHandler<FullAccessRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, FullAccessRequirement requirement)
    {
        if (token.Mode == DashboardAuthMode.Unsecured
            || (context.User.Identity?.IsAuthenticated == true
                && context.User.FindFirst(BearerTokenHandler.ScopeClaim)?.Value is null or "full"))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
