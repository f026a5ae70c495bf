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

    public static IEndpointConventionBuilder MapDashboardLogin(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("").AllowAnonymous();

        group.MapGet(DashboardAuth.LoginPath, async (HttpContext context, SignInToken token, IAntiforgery antiforgery,
            [FromQuery(Name = DashboardAuth.TokenParameter)] string? t, [FromQuery] string? returnUrl) =>
        {
            if (t is not null)
            {
                return token.Matches(t)
                    ? await SignIn(context, token, returnUrl)
                    : LoginPage.Render(context, antiforgery, returnUrl, LoginPage.InvalidLink);
            }

            return context.User.Identity?.IsAuthenticated == true || token.Mode == DashboardAuthMode.Unsecured
                ? Results.Redirect(UnderPathBase(context, SafeReturnUrl(returnUrl)))
                : LoginPage.Render(context, antiforgery, returnUrl, problem: null);
        });

        group.MapPost(DashboardAuth.LoginPath, async (HttpContext context, SignInToken signIn, IAntiforgery antiforgery,
            [FromForm(Name = "token")] string? formToken, [FromForm] string? returnUrl) =>
            signIn.Matches(formToken)
                ? await SignIn(context, signIn, returnUrl)
                : LoginPage.Render(context, antiforgery, returnUrl, LoginPage.InvalidToken));

        // Bound to a form so the antiforgery check applies (it only inspects form posts).
        group.MapPost(DashboardAuth.LogoutPath, async (HttpContext context, IFormCollection form) =>
        {
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

    private static async Task<IResult> SignIn(HttpContext context, SignInToken token, string? returnUrl)
    {
        var target = SafeReturnUrl(returnUrl);
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "dashboard-user"), new Claim(StampClaim, token.CookieStamp)],
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
