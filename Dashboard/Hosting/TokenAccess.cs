using System.Security.Claims;
using Dashboard.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace Dashboard.Hosting;

/// <summary>Whether a request carries what the JSON API accepts (the bearer token), for endpoints that answer everyone but tell more to the token's holder.</summary>
internal static class TokenAccess
{
    public static async Task<bool> HasTokenAsync(HttpContext context)
    {
        var authenticated = await context.AuthenticateAsync(DashboardAuth.BearerScheme);
        var principal = authenticated.Principal ?? new ClaimsPrincipal(new ClaimsIdentity());
        var authorization = context.RequestServices.GetRequiredService<IAuthorizationService>();
        var result = await authorization.AuthorizeAsync(principal, context, DashboardAuth.ApiPolicy);
        return result.Succeeded;
    }
}
