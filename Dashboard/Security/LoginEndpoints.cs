using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace Dashboard.Security;

/// <summary>
/// <c>GET /login?t=&lt;token&gt;</c> (the link printed at start-up), <c>GET /login</c> (a form),
/// <c>POST /login</c> (the form, antiforgery-checked) and <c>POST /logout</c>. A valid token sets
/// the auth cookie and redirects to a local page, which also drops the token from the address bar.
/// </summary>
public static class LoginEndpoints
{
    internal const string StampClaim = "dashboard-stamp";

    internal const string SessionClaim = "dashboard-session";

    public static IEndpointConventionBuilder MapDashboardLogin(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("").AllowAnonymous();

        group.MapGet(DashboardAuth.LoginPath, async (HttpContext context, SignInToken token, IAntiforgery antiforgery,
            FailedAuthLimiter limiter, SignInSessions sessions,
            [FromQuery(Name = DashboardAuth.TokenParameter)] string? t, [FromQuery] string? returnUrl) =>
        {
            if (t is not null)
            {
                if (limiter.Blocked(context) is { } wait)
                {
                    return TooMany(context, wait);
                }

                if (token.Matches(t))
                {
                    return await SignIn(context, token, sessions, returnUrl);
                }

                limiter.Failed(context);
                return LoginPage.Render(context, antiforgery, returnUrl, LoginPage.InvalidLink);
            }

            return context.User.Identity?.IsAuthenticated == true || token.Mode == DashboardAuthMode.Unsecured
                ? Results.Redirect(UnderPathBase(context, SafeReturnUrl(returnUrl)))
                : LoginPage.Render(context, antiforgery, returnUrl, problem: null);
        });

        group.MapPost(DashboardAuth.LoginPath, async (HttpContext context, SignInToken signIn, IAntiforgery antiforgery,
            FailedAuthLimiter limiter, SignInSessions sessions,
            [FromForm(Name = "token")] string? formToken, [FromForm] string? returnUrl) =>
        {
            if (limiter.Blocked(context) is { } wait)
            {
                return TooMany(context, wait);
            }

            if (signIn.Matches(formToken))
            {
                return await SignIn(context, signIn, sessions, returnUrl);
            }

            limiter.Failed(context);
            return LoginPage.Render(context, antiforgery, returnUrl, LoginPage.InvalidToken);
        });

        // Bound to a form so the antiforgery check applies (it only inspects form posts). The
        // session is closed on the server: the cookie is dead even if someone kept a copy.
        group.MapPost(DashboardAuth.LogoutPath, async (HttpContext context, SignInSessions sessions, IFormCollection form) =>
        {
            await sessions.CloseAsync(context.User.FindFirst(SessionClaim)?.Value);
            await context.SignOutAsync(DashboardAuth.CookieScheme);
            return Results.Redirect(UnderPathBase(context, DashboardAuth.LoginPath));
        });

        return group;
    }

    /// <summary>Only a path on this site: anything else (<c>//evil</c>, <c>/\evil</c>, absolute URLs) becomes <c>/</c>.</summary>
    public static string SafeReturnUrl(string? returnUrl)
    {
        if (string.IsNullOrEmpty(returnUrl)
            || returnUrl[0] != '/'
            || (returnUrl.Length > 1 && (returnUrl[1] == '/' || returnUrl[1] == '\\'))
            || returnUrl.Any(char.IsControl)
            || returnUrl.StartsWith(DashboardAuth.LoginPath, StringComparison.OrdinalIgnoreCase))
        {
            return "/";
        }

        return returnUrl;
    }

    private static IResult TooMany(HttpContext context, TimeSpan wait)
    {
        FailedAuthLimiter.WriteTooMany(context, wait);
        return Results.Text("Too many failed sign-ins from this address; try again later.", "text/plain", statusCode: StatusCodes.Status429TooManyRequests);
    }

    private static async Task<IResult> SignIn(HttpContext context, SignInToken token, SignInSessions sessions, string? returnUrl)
    {
        var target = SafeReturnUrl(returnUrl);
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "dashboard-user"), new Claim(StampClaim, token.CookieStamp), new Claim(SessionClaim, await sessions.OpenAsync())],
            DashboardAuth.CookieScheme);
        await context.SignInAsync(
            DashboardAuth.CookieScheme,
            new ClaimsPrincipal(identity),
            new AuthenticationProperties { RedirectUri = target, IsPersistent = true });
        return Results.Redirect(UnderPathBase(context, target));
    }

    /// <summary>
    /// A local target under the app's path base (Dashboard:PathBase behind a proxy). Return URLs the
    /// cookie handler made already carry it; the default "/" and typed ones may not.
    /// </summary>
    internal static string UnderPathBase(HttpContext context, string target)
    {
        var pathBase = context.Request.PathBase;
        return !pathBase.HasValue || new PathString(target.Split('?', 2)[0]).StartsWithSegments(pathBase)
            ? target
            : pathBase.ToUriComponent() + target;
    }
}
