using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Dashboard.Security;

/// <summary>
/// Wiring of sign-in, the circuit's origin check, security headers and log hygiene.
/// Deny by default: every endpoint without its own authorization metadata needs the browser
/// cookie (the fallback policy); static assets and <c>/login</c> are anonymous; <c>/api</c>
/// authenticates by bearer token only, whatever its endpoints declare.
/// </summary>
public static class DashboardSecurityExtensions
{
    public static WebApplicationBuilder AddDashboardSecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddAuthOptionsValidation();
        services.AddLogRedaction();
        services.TryAddSingleton<SecretRedactor>();
        services.AddSingleton<SignInToken>();
        services.TryAddSingleton(new SignInConsole(Console.Out));
        services.AddHostedService<SignInStartup>();
        services.AddSingleton<IAuthorizationHandler, DashboardAccessHandler>();
        services.AddSingleton<IAuthorizationHandler, FullAccessHandler>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SignInSessions>();
        services.AddSingleton<FailedAuthLimiter>();
        services.AddSingleton<IPostConfigureOptions<LoggerFilterOptions>, RequestUrlLogging>();

        services.AddSingleton(provider => SecurityHeadersOptions.From(
            provider.GetRequiredService<IConfiguration>(),
            provider.GetRequiredService<IHostEnvironment>()));

        services.AddAuthentication(DashboardAuth.SelectorScheme)
            .AddPolicyScheme(DashboardAuth.SelectorScheme, "Dashboard", options =>
                options.ForwardDefaultSelector = context => context.Request.Path.StartsWithSegments(DashboardAuth.ApiPath)
                    || context.Request.Path.StartsWithSegments(DashboardAuth.EventsHubPath)
                    ? DashboardAuth.BearerScheme
                    : DashboardAuth.CookieScheme)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(DashboardAuth.BearerScheme, null)
            .AddCookie(DashboardAuth.CookieScheme, ConfigureCookie);
        services.AddOptions<CookieAuthenticationOptions>(DashboardAuth.CookieScheme)
            .Configure<IOptions<Dashboard.Configuration.DashboardOptions>>((cookie, dashboard) =>
                cookie.ExpireTimeSpan = dashboard.Value.Auth.SessionLifetime > TimeSpan.Zero ? dashboard.Value.Auth.SessionLifetime : TimeSpan.FromHours(12));

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder()
                .AddRequirements(new DashboardAccessRequirement(allowLoopbackDemo: true))
                .Build())
            .AddPolicy(DashboardAuth.ApiPolicy, policy => ReadByToken(policy))
            .AddPolicy(DashboardAuth.ReadPolicy, policy => ReadByToken(policy))
            .AddPolicy(DashboardAuth.WritePolicy, policy => ReadByToken(policy).AddRequirements(new FullAccessRequirement()));

        return builder;
    }

    private static AuthorizationPolicyBuilder ReadByToken(AuthorizationPolicyBuilder policy) => policy
        .AddAuthenticationSchemes(DashboardAuth.BearerScheme)
        .AddRequirements(new DashboardAccessRequirement(allowLoopbackDemo: false));

    /// <summary>Call after status-code pages/exception handler and before <c>UseAntiforgery</c>.</summary>
    public static WebApplication UseDashboardSecurity(this WebApplication app)
    {
        app.UseMiddleware<HostCheckMiddleware>();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseMiddleware<UnsecuredLoopbackMiddleware>();
        app.UseMiddleware<CircuitOriginMiddleware>();
        app.UseMiddleware<ApiRequestGuardMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>
    /// Puts a JSON API route group under the API rules: bearer token only (401 with
    /// <c>WWW-Authenticate: Bearer</c> otherwise) and request bodies up to
    /// <see cref="DashboardAuth.ApiMaxRequestBodyBytes"/> (413 beyond).
    /// </summary>
    public static TBuilder RequireDashboardApi<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder
            .RequireAuthorization(DashboardAuth.ApiPolicy)
            .WithMetadata(new ApiRequestSizeLimit(DashboardAuth.ApiMaxRequestBodyBytes));

    private static void ConfigureCookie(CookieAuthenticationOptions options)
    {
        options.Cookie.Name = ".Dashboard.Auth";
        options.Cookie.HttpOnly = true;
        options.Cookie.SameSite = SameSiteMode.Strict;
        options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.SlidingExpiration = true;
        options.LoginPath = DashboardAuth.LoginPath;
        options.LogoutPath = DashboardAuth.LogoutPath;
        options.ReturnUrlParameter = "returnUrl";
        options.Events = new CookieAuthenticationEvents
        {
            OnValidatePrincipal = async context =>
            {
                var services = context.HttpContext.RequestServices;
                var token = services.GetRequiredService<SignInToken>();
                var sessions = services.GetRequiredService<SignInSessions>();
                // The stamp voids cookies of another token; the session voids signed-out cookies
                // and those of an earlier process.
                if (context.Principal?.FindFirst(LoginEndpoints.StampClaim)?.Value != token.CookieStamp
                    || !await sessions.TouchAsync(context.Principal?.FindFirst(LoginEndpoints.SessionClaim)?.Value))
                {
                    context.RejectPrincipal();
                    await context.HttpContext.SignOutAsync(DashboardAuth.CookieScheme);
                }
            },
            OnRedirectToLogin = context =>
            {
                // The circuit and scripts get a status, not a sign-in page they cannot show.
                if (context.Request.Path.StartsWithSegments(DashboardAuth.CircuitPath))
                {
                    BearerTokenHandler.SuppressStatusCodePage(context.HttpContext);
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                }
                else
                {
                    context.Response.Redirect(context.RedirectUri);
                }

                return Task.CompletedTask;
            },
            OnRedirectToAccessDenied = context =>
            {
                BearerTokenHandler.SuppressStatusCodePage(context.HttpContext);
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            },
        };
    }

    private sealed record ApiRequestSizeLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;
}
