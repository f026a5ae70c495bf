using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;

namespace Dashboard.Security;

/// <summary>
/// The small sign-in page: plain HTML (no circuit, no data), a token field posted with an
/// antiforgery token. Served with 401 when a link or a typed token was wrong.
/// </summary>
internal static class LoginPage
{
    public const string InvalidLink = "This sign-in link is invalid or expired. Use the link printed at the dashboard's start-up.";

    public const string InvalidToken = "That token is not valid.";

    public static IResult Render(HttpContext context, IAntiforgery antiforgery, string? returnUrl, string? problem)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var html = HtmlEncoder.Default;
        var message = problem is null
            ? "<p>Open the sign-in link printed on the dashboard's console, or paste its token here.</p>"
            : $"<p class=\"problem\" role=\"alert\">{html.Encode(problem)}</p>";

        var page = $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1.0" />
            <meta name="referrer" content="no-referrer" />
            <title>Sign in · Dashboard</title>
            <style>
            body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 4rem auto; padding: 0 1rem; color: #222; }
            .problem { color: #b00020; font-weight: 600; }
            input[type=password] { width: 100%; padding: .5rem; box-sizing: border-box; }
            button { margin-top: .75rem; padding: .5rem 1.25rem; }
            </style>
            </head>
            <body>
            <h1>Sign in</h1>
            {{message}}
            <form method="post" action="{{html.Encode(context.Request.PathBase.Add(DashboardAuth.LoginPath).ToUriComponent())}}">
            <input type="hidden" name="{{html.Encode(tokens.FormFieldName)}}" value="{{html.Encode(tokens.RequestToken ?? "")}}" />
            <input type="hidden" name="returnUrl" value="{{html.Encode(LoginEndpoints.SafeReturnUrl(returnUrl))}}" />
            <label for="token">Token</label>
            <input id="token" name="token" type="password" autocomplete="off" required autofocus />
            <button type="submit">Sign in</button>
            </form>
            </body>
            </html>
            """;

        return Results.Content(
            page,
            "text/html; charset=utf-8",
            statusCode: problem is null ? StatusCodes.Status200OK : StatusCodes.Status401Unauthorized);
    }
}
