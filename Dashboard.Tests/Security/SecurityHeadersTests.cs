using Dashboard.Testing;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Dashboard.Tests.Security;

public sealed partial class SecurityHeadersTests
{
    private static HttpClient Client(WebApplicationFactory<Program> factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private static async Task<HttpResponseMessage> SignedInHome(HttpClient client)
    {
        using var login = await client.GetAsync($"/login?t={TestApp.Token}");
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var home = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        return home;
    }

    private static string Directive(string csp, string name) =>
        csp.Split(';', StringSplitOptions.TrimEntries).Single(d => d.StartsWith(name + " ", StringComparison.Ordinal));

    [Theory]
    [InlineData("/")]
    [InlineData("/login")]
    [InlineData("/login?t=wrong")]
    [InlineData("/api/runs")]
    public async Task Every_response_carries_the_security_headers(string path)
    {
        using var factory = new TestApp { Demo = false, Kestrel = false };
        using var response = await Client(factory).GetAsync(path);

        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        var scriptSrc = Directive(csp, "script-src");
        Assert.DoesNotContain("unsafe-inline", scriptSrc, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", scriptSrc, StringComparison.Ordinal);
        Assert.Equal("frame-ancestors 'none'", Directive(csp, "frame-ancestors"));
        Assert.Equal("object-src 'none'", Directive(csp, "object-src"));
        Assert.Equal("default-src 'self'", Directive(csp, "default-src"));
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task Csp_hash_matches_the_rendered_import_map_and_allows_no_other_inline_script()
    {
        using var factory = new TestApp { Demo = false, Kestrel = false };
        using var home = await SignedInHome(Client(factory));
        var html = await home.Content.ReadAsStringAsync();

        var inlineScripts = InlineScript().Matches(html);
        var importMap = Assert.Single(inlineScripts);
        Assert.Contains("type=\"importmap\"", importMap.Value, StringComparison.Ordinal);
        var hash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(importMap.Groups["body"].Value)));

        var scriptSrc = Directive(home.Headers.GetValues("Content-Security-Policy").Single(), "script-src");
        Assert.Equal($"script-src 'self' 'sha256-{hash}'", scriptSrc);
    }

    [Fact]
    public async Task Csp_can_be_disabled_for_the_xss_harness_in_development_only()
    {
        var disable = new Dictionary<string, string?> { ["Dashboard:Security:DisableCsp"] = "true" };

        using var development = new TestApp(disable) { Demo = false, Kestrel = false, Environment = "Development" };
        using var devResponse = await Client(development).GetAsync("/login");
        Assert.False(devResponse.Headers.Contains("Content-Security-Policy"));
        Assert.True(devResponse.Headers.Contains("X-Content-Type-Options"));

        using var production = new TestApp(disable) { Demo = false, Kestrel = false, Environment = "Production" };
        using var prodResponse = await Client(production).GetAsync("/login");
        Assert.True(prodResponse.Headers.Contains("Content-Security-Policy"));
    }

    // Inline: a <script> element without src.
    [GeneratedRegex("""<script(?![^>]*\bsrc=)[^>]*>(?<body>.*?)</script>""", RegexOptions.Singleline)]
    private static partial Regex InlineScript();
}
