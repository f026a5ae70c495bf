using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Dashboard.Security;

/// <summary>
/// <c>Authorization: Bearer &lt;token&gt;</c> for the JSON API. A challenge is a bare 401 with
/// <c>WWW-Authenticate: Bearer</c>: no sign-in redirect, no page.
/// </summary>
public sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SignInToken token)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string Prefix = "Bearer ";

    /// <summary>Query parameter SignalR clients put the token in when they cannot send headers.</summary>
    public const string AccessTokenParameter = "access_token";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        string? presented;
        if (header is not null && header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            presented = header[Prefix.Length..].Trim();
        }
        else if (header is null && Request.Path.StartsWithSegments(DashboardAuth.EventsHubPath)
            && Request.Query[AccessTokenParameter].ToString() is { Length: > 0 } query)
        {
            // Browsers' WebSockets and EventSource cannot send headers: the hub takes the token here too.
            presented = query;
        }
        else
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!token.Matches(presented))
        {
            return Task.FromResult(AuthenticateResult.Fail("The bearer token is not the dashboard's token."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "api-client")], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        SuppressStatusCodePage(Context);
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append(HeaderNames.WWWAuthenticate, Request.Headers.Authorization.Count > 0 || Request.Query.ContainsKey(AccessTokenParameter)
            ? "Bearer error=\"invalid_token\""
            : "Bearer");
        return Task.CompletedTask;
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        SuppressStatusCodePage(Context);
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }

    /// <summary>Keeps the app's status-code page (an HTML re-execution) off API and circuit answers.</summary>
    internal static void SuppressStatusCodePage(HttpContext context)
    {
        if (context.Features.Get<IStatusCodePagesFeature>() is { } statusCodePages)
        {
            statusCodePages.Enabled = false;
        }
    }
}
