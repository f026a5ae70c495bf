using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Components;

namespace Dashboard.Security;

/// <summary>
/// Security headers on every response, set when the response starts (so an exception page or a
/// re-executed status page gets them too). The Content-Security-Policy allows scripts from this
/// origin plus the one inline script Blazor renders, <c>&lt;ImportMap /&gt;</c>, by its SHA-256:
/// the hash is computed from the endpoint's <see cref="ImportMapDefinition"/> (its ToString is exactly the JSON
/// the component writes, a test holds it to that).
/// </summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next, SecurityHeadersOptions options)
{
    private ImportMapHash? _importMapHash;

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";
            if (options.ContentSecurityPolicyEnabled)
            {
                headers.ContentSecurityPolicy = ContentSecurityPolicy(ImportMapSource(context));
            }

            return Task.CompletedTask;
        });

        return next(context);
    }

    public static string ContentSecurityPolicy(string? importMapSource) =>
        "default-src 'self'; "
        + "script-src 'self'" + (importMapSource is null ? "" : " " + importMapSource) + "; "
        + "style-src 'self' 'unsafe-inline'; "
        + "img-src 'self' data:; "
        + "font-src 'self' data:; "
        + "connect-src 'self'; "
        + "frame-ancestors 'none'; "
        + "base-uri 'self'; "
        + "form-action 'self'; "
        + "object-src 'none'";

    /// <summary>The CSP source (<c>'sha256-…'</c>) of the script <c>&lt;ImportMap /&gt;</c> renders for <paramref name="definition"/>.</summary>
    public static string HashSource(ImportMapDefinition definition) =>
        "'sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(definition.ToString()))) + "'";

    private string? ImportMapSource(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<ImportMapDefinition>() is not { } definition)
        {
            return null;
        }

        // One definition per app in practice: cache it by reference, recompute if it ever differs.
        var cached = _importMapHash;
        if (cached is null || !ReferenceEquals(cached.Definition, definition))
        {
            cached = new ImportMapHash(definition, HashSource(definition));
            _importMapHash = cached;
        }

        return cached.Source;
    }

    private sealed record ImportMapHash(ImportMapDefinition Definition, string Source);
}

/// <summary>
/// <c>Dashboard:Security:DisableCsp</c> turns the Content-Security-Policy off, honoured only in the
/// Development and Testing environments: the XSS test harness uses it to test the sanitizer alone.
/// </summary>
public sealed record SecurityHeadersOptions(bool ContentSecurityPolicyEnabled)
{
    public const string DisableCspKey = "Dashboard:Security:DisableCsp";

    public static SecurityHeadersOptions From(IConfiguration configuration, IHostEnvironment environment)
    {
        var disable = configuration.GetValue<bool>(DisableCspKey)
            && (environment.IsDevelopment() || environment.IsEnvironment("Testing"));
        return new SecurityHeadersOptions(ContentSecurityPolicyEnabled: !disable);
    }
}
