using Dashboard.Testing;
using System.Net;
using System.Text.RegularExpressions;
using Dashboard.Security;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Dashboard.Tests.Security;

public sealed partial class SignInTests(SignInTests.App app) : IClassFixture<SignInTests.App>
{
    public sealed class App : IDisposable
    {
        public TestApp Factory { get; } = new() { Demo = false, Kestrel = false };

        public void Dispose() => Factory.Dispose();
    }

    private HttpClient Client(string baseAddress = "http://localhost") =>
        app.Factory.CreateClient(new WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false,
            HandleCookies = false,
            BaseAddress = new Uri(baseAddress),
        });

    private async Task<string> SignInCookie()
    {
        using var response = await Client().GetAsync($"/login?t={TestApp.Token}");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return AuthCookie(response) ?? throw new InvalidOperationException("no auth cookie");
    }

    private static string? AuthCookie(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? cookies.FirstOrDefault(c => c.StartsWith(".Dashboard.Auth=", StringComparison.Ordinal))
            : null;

    private static HttpRequestMessage WithCookie(HttpMethod method, string url, string setCookie)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Add("Cookie", setCookie.Split(';')[0]);
        return request;
    }

    [Fact]
    public async Task Unauthenticated_page_redirects_to_login_without_content()
    {
        using var response = await Client().GetAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login", response.Headers.Location!.AbsolutePath);
        Assert.Equal("?returnUrl=%2F", response.Headers.Location.Query);
        Assert.Empty(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Circuit_negotiate_without_cookie_is_401()
    {
        using var response = await Client().PostAsync("/_blazor/negotiate?negotiateVersion=1", null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("connectionToken", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Valid_link_sets_a_strict_http_only_cookie_and_redirects_home_without_the_token()
    {
        using var response = await Client().GetAsync($"/login?t={TestApp.Token}");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
        var cookie = AuthCookie(response);
        Assert.NotNull(cookie);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(TestApp.Token, cookie, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cookie_is_secure_under_https()
    {
        using var response = await Client("https://localhost").GetAsync($"/login?t={TestApp.Token}");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("secure", AuthCookie(response), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("/runs/42?tab=log", "/runs/42?tab=log")]
    [InlineData("//evil.example/x", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("/login?t=x", "/")]
    public async Task Sign_in_returns_only_to_local_pages(string returnUrl, string expected)
    {
        using var response = await Client().GetAsync(
            $"/login?t={TestApp.Token}&returnUrl={Uri.EscapeDataString(returnUrl)}");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(expected, response.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("wrong")]
    [InlineData("")]
    [InlineData(TestApp.Token + "x")]
    [InlineData("%00")]
    public async Task Bad_token_is_401_with_no_cookie_and_no_data(string token)
    {
        using var response = await Client().GetAsync($"/login?t={token}");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(AuthCookie(response));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("invalid or expired", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("blazor", body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task With_the_cookie_the_page_renders()
    {
        var cookie = await SignInCookie();

        using var response = await Client().SendAsync(WithCookie(HttpMethod.Get, "/", cookie));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("_framework/blazor.web", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_in_form_posts_the_token_with_antiforgery()
    {
        using var page = await Client().GetAsync("/login");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        var antiforgery = AntiforgeryField().Match(html);
        Assert.True(antiforgery.Success, html);
        var antiforgeryCookie = page.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));

        async Task<HttpResponseMessage> Post(string token, bool withAntiforgery)
        {
            var fields = new Dictionary<string, string> { ["token"] = token, ["returnUrl"] = "/runs" };
            if (withAntiforgery)
            {
                fields[antiforgery.Groups["name"].Value] = WebUtility.HtmlDecode(antiforgery.Groups["value"].Value);
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, "/login") { Content = new FormUrlEncodedContent(fields) };
            request.Headers.Add("Cookie", antiforgeryCookie.Split(';')[0]);
            return await Client().SendAsync(request);
        }

        using var ok = await Post(TestApp.Token, withAntiforgery: true);
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        Assert.Equal("/runs", ok.Headers.Location!.OriginalString);
        Assert.NotNull(AuthCookie(ok));

        using var wrong = await Post("wrong", withAntiforgery: true);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Null(AuthCookie(wrong));

        using var forged = await Post(TestApp.Token, withAntiforgery: false);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Null(AuthCookie(forged));
    }

    [Theory]
    [InlineData("http://evil.example", HttpStatusCode.Forbidden)]
    [InlineData("http://localhost.evil.example", HttpStatusCode.Forbidden)]
    [InlineData("https://localhost", HttpStatusCode.Forbidden)]
    [InlineData("http://localhost:8080", HttpStatusCode.Forbidden)]
    [InlineData("null", HttpStatusCode.Forbidden)]
    [InlineData("http://localhost", HttpStatusCode.OK)]
    public async Task Circuit_refuses_a_foreign_origin_even_with_the_cookie(string origin, HttpStatusCode expected)
    {
        var cookie = await SignInCookie();
        using var request = WithCookie(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1", cookie);
        request.Headers.Add("Origin", origin);

        using var response = await Client().SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == HttpStatusCode.OK, (await response.Content.ReadAsStringAsync()).Contains("connectionToken", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Api_refuses_the_cookie_and_wants_the_bearer_token()
    {
        var cookie = await SignInCookie();

        using var cookieOnly = await Client().SendAsync(WithCookie(HttpMethod.Get, "/api/runs", cookie));
        Assert.Equal(HttpStatusCode.Unauthorized, cookieOnly.StatusCode);
        Assert.Equal("Bearer", cookieOnly.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Empty(await cookieOnly.Content.ReadAsStringAsync());

        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/api/runs");
        wrong.Headers.Add("Authorization", "Bearer nope");
        using var wrongResponse = await Client().SendAsync(wrong);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongResponse.StatusCode);
        Assert.Contains("invalid_token", wrongResponse.Headers.WwwAuthenticate.Single().Parameter, StringComparison.Ordinal);

        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/api/runs");
        bearer.Headers.Add("Authorization", $"Bearer {TestApp.Token}");
        using var bearerResponse = await Client().SendAsync(bearer);
        Assert.NotEqual(HttpStatusCode.Unauthorized, bearerResponse.StatusCode);
        Assert.NotEqual(HttpStatusCode.Redirect, bearerResponse.StatusCode);
    }

    [Fact]
    public async Task Static_assets_are_public()
    {
        using var script = await Client().GetAsync("/_framework/blazor.web.js");

        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Contains("javascript", script.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logout_without_antiforgery_is_refused()
    {
        var cookie = await SignInCookie();
        using var request = WithCookie(HttpMethod.Post, "/logout", cookie);
        request.Content = new FormUrlEncodedContent([]);

        using var response = await Client().SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(AuthCookie(response));
    }

    [GeneratedRegex("""name="(?<name>__RequestVerificationToken)" value="(?<value>[^"]+)" """)]
    private static partial Regex AntiforgeryField();
}
