using Dashboard.Testing;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Dashboard.Configuration;
using Dashboard.Security;
using Dashboard.Tests.Api;
using Dashboard.Tests.Runs;
using Dashboard.Tests.TestSupport;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Dashboard.Tests.Security;

/// <summary>Cross-site requests, rebinding, sign-out and sessions, brute force and weak tokens, on the real app.</summary>
public sealed partial class HardeningTests
{
    private static HttpClient Client(TestApp factory, string baseAddress = "http://localhost") =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri(baseAddress) });

    private static TestApp App(Dictionary<string, string?>? settings = null) => new(settings) { Demo = false, Kestrel = false };

    private static HttpRequestMessage StartRun(string contentType, string body, string? origin = null, string? bearer = TestApp.Token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/runs") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return request;
    }

    [Theory]
    [InlineData("BrowserToken")]
    [InlineData("Unsecured")]
    public async Task State_changing_api_requests_take_only_json_from_the_dashboards_own_origin(string mode)
    {
        using var factory = App(new Dictionary<string, string?> { ["Dashboard:Auth:Mode"] = mode });
        using var client = Client(factory);
        const string Json = """{"backend":"nope","prompt":"hi"}""";

        // What a cross-site form (enctype=text/plain or urlencoded) or a no-cors fetch can send.
        using var textPlain = await client.SendAsync(StartRun("text/plain", Json));
        using var form = await client.SendAsync(StartRun("application/x-www-form-urlencoded", "backend=nope&prompt=hi"));
        using var foreign = await client.SendAsync(StartRun("application/json", Json, origin: "http://evil.example"));
        using var nullOrigin = await client.SendAsync(StartRun("application/json", Json, origin: "null"));
        using var foreignCancel = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/runs/run-1/cancel")
        {
            Headers = { { "Origin", "http://localhost:9999" }, { "Authorization", "Bearer " + TestApp.Token } },
        });
        using var own = await client.SendAsync(StartRun("application/json; charset=utf-8", Json, origin: "http://localhost"));
        using var script = await client.SendAsync(StartRun("application/json", Json));
        using var bareCancel = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/runs/run-1/cancel")
        {
            Headers = { { "Authorization", "Bearer " + TestApp.Token } },
        });

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, textPlain.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, nullOrigin.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, foreignCancel.StatusCode);
        Assert.Equal("application/problem+json", foreign.Content.Headers.ContentType?.MediaType);
        // Past the guard: the app itself answers (unknown backend, unknown run).
        Assert.Equal(HttpStatusCode.NotFound, own.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, script.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, bareCancel.StatusCode);
    }

    [Fact]
    public async Task The_public_url_is_the_dashboards_origin_when_configured()
    {
        using var factory = App(new Dictionary<string, string?> { ["Dashboard:PublicUrl"] = "https://dash.example/board/" });
        using var client = Client(factory);
        const string Json = """{"backend":"nope","prompt":"hi"}""";

        using var fromPublic = await client.SendAsync(StartRun("application/json", Json, origin: "https://dash.example"));
        using var fromRequestOrigin = await client.SendAsync(StartRun("application/json", Json, origin: "http://localhost"));

        Assert.Equal(HttpStatusCode.NotFound, fromPublic.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, fromRequestOrigin.StatusCode);
    }

    [Fact]
    public async Task A_host_the_dashboard_is_not_known_by_is_refused()
    {
        using var factory = App(new Dictionary<string, string?>
        {
            ["Dashboard:PublicUrl"] = "https://dash.example/",
            ["AllowedHosts"] = "*;other.example;*.corp.example",
        });
        using var client = Client(factory);

        async Task<HttpStatusCode> Get(string host)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/login");
            request.Headers.Host = host;
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.BadRequest, await Get("rebind.attacker.example"));
        Assert.Equal(HttpStatusCode.BadRequest, await Get("rebind.attacker.example:80"));
        Assert.Equal(HttpStatusCode.BadRequest, await Get("10.99.99.99"));
        Assert.Equal(HttpStatusCode.OK, await Get("localhost"));
        Assert.Equal(HttpStatusCode.OK, await Get("127.0.0.1:5102"));
        Assert.Equal(HttpStatusCode.OK, await Get("[::1]:5102"));
        Assert.Equal(HttpStatusCode.OK, await Get("dash.example"));
        Assert.Equal(HttpStatusCode.OK, await Get("other.example"));
        Assert.Equal(HttpStatusCode.OK, await Get("ci.corp.example"));
    }

    [Fact]
    public async Task Sign_out_from_the_layout_revokes_the_cookie_on_the_server()
    {
        using var factory = App();
        using var client = Client(factory);
        using var login = await client.GetAsync($"/login?t={TestApp.Token}");
        var auth = CookiePair(login, ".Dashboard.Auth")!;

        // The signed-in page renders the sign-out form with its antiforgery token.
        using var pageRequest = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { { "Cookie", auth } } };
        using var page = await client.SendAsync(pageRequest);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        var form = SignOutForm().Match(html);
        Assert.True(form.Success, "no sign-out form in the layout");
        var antiforgeryCookie = CookiePair(page, ".AspNetCore.Antiforgery.")!;

        using var logout = new HttpRequestMessage(HttpMethod.Post, "/logout")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { [form.Groups["name"].Value] = WebUtility.HtmlDecode(form.Groups["value"].Value) }),
            Headers = { { "Cookie", $"{auth}; {antiforgeryCookie}" } },
        };
        using var loggedOut = await client.SendAsync(logout);
        Assert.Equal(HttpStatusCode.Redirect, loggedOut.StatusCode);
        Assert.Equal("/login", loggedOut.Headers.Location!.OriginalString);

        // The very same cookie, replayed: the session is gone on the server.
        using var replay = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { { "Cookie", auth } } };
        using var replayed = await client.SendAsync(replay);
        Assert.Equal(HttpStatusCode.Redirect, replayed.StatusCode);
        Assert.Equal("/login", replayed.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task Logout_without_the_antiforgery_token_signs_nobody_out()
    {
        using var factory = App();
        using var client = Client(factory);
        using var login = await client.GetAsync($"/login?t={TestApp.Token}");
        var auth = CookiePair(login, ".Dashboard.Auth")!;

        using var forged = new HttpRequestMessage(HttpMethod.Post, "/logout")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>()),
            Headers = { { "Cookie", auth } },
        };
        using var refused = await client.SendAsync(forged);
        using var still = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { { "Cookie", auth } } };
        using var page = await client.SendAsync(still);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task A_cookie_of_another_token_or_an_earlier_process_is_refused()
    {
        string auth;
        using (var first = App())
        {
            using var client = Client(first);
            using var login = await client.GetAsync($"/login?t={TestApp.Token}");
            auth = CookiePair(login, ".Dashboard.Auth")!;
        }

        foreach (var token in new[] { TestApp.Token, "another-token-0123456789abcdef" })
        {
            using var next = App(new Dictionary<string, string?> { ["Dashboard:Auth:Token"] = token });
            using var client = Client(next);
            using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { { "Cookie", auth } } };
            using var response = await client.SendAsync(request);

            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/login", response.Headers.Location!.AbsolutePath);
        }
    }

    [Fact]
    public void Session_lifetime_sets_the_cookie_and_ends_idle_sessions()
    {
        using var factory = App(new Dictionary<string, string?> { ["Dashboard:Auth:SessionLifetime"] = "00:30:00" });
        var cookie = factory.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(DashboardAuth.CookieScheme);
        Assert.Equal(TimeSpan.FromMinutes(30), cookie.ExpireTimeSpan);
        Assert.Equal(TimeSpan.FromHours(12), new AuthOptions().SessionLifetime);

        var clock = new FakeTimeProvider();
        var sessions = new SignInSessions(Options.Create(new DashboardOptions { Auth = new AuthOptions { SessionLifetime = TimeSpan.FromMinutes(30) } }), clock);
        var kept = sessions.Open();
        var idle = sessions.Open();
        var closed = sessions.Open();
        sessions.Close(closed);
        clock.Advance(TimeSpan.FromMinutes(20));
        Assert.True(sessions.Touch(kept));
        clock.Advance(TimeSpan.FromMinutes(20));

        Assert.True(sessions.Touch(kept));
        Assert.False(sessions.Touch(idle));
        Assert.False(sessions.Touch(closed));
        Assert.False(sessions.Touch("made-up"));
    }

    private static Dictionary<string, string?> Limited => new()
    {
        ["Dashboard:Auth:FailedAuthLimit"] = "3",
        ["Dashboard:Auth:FailedAuthWindow"] = "01:00:00",
    };

    [Fact]
    public async Task Failed_sign_ins_are_rate_limited_per_client_with_retry_after()
    {
        using var factory = App(Limited);
        using var client = Client(factory);

        for (var i = 0; i < 3; i++)
        {
            using var wrong = await client.GetAsync("/login?t=wrong-guess-" + i);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var limited = await client.GetAsync("/login?t=wrong-guess-again");

        // The sign-in form (antiforgery token and its cookie from the form page) is limited too.
        using var formPage = await client.GetAsync("/login");
        var formToken = SignInFormToken().Match(await formPage.Content.ReadAsStringAsync());
        Assert.True(formToken.Success);
        using var limitedForm = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                [formToken.Groups["name"].Value] = WebUtility.HtmlDecode(formToken.Groups["value"].Value),
                ["token"] = "another-guess",
            }),
            Headers = { { "Cookie", CookiePair(formPage, ".AspNetCore.Antiforgery.")! } },
        });
        // During the lock-out even the right token learns nothing.
        using var right = await client.GetAsync($"/login?t={TestApp.Token}");

        foreach (var response in new[] { limited, limitedForm, right })
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After missing");
        }

        Assert.Null(CookiePair(right, ".Dashboard.Auth"));
    }

    [Fact]
    public async Task Failed_bearer_checks_are_rate_limited_with_retry_after()
    {
        using var factory = App(Limited);
        using var client = Client(factory);

        async Task<HttpResponseMessage> Get(string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/runs");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return await client.SendAsync(request);
        }

        using var before = await Get(TestApp.Token);
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        for (var i = 0; i < 3; i++)
        {
            using var wrong = await Get("wrong-" + i);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var limited = await Get("wrong-again");
        using var right = await Get(TestApp.Token);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
    }

    [Theory]
    [InlineData("tiny-tok")]
    [InlineData("fifteen-chars!!")]
    public void A_configured_token_under_16_characters_is_refused_naming_the_key(string token)
    {
        var error = FailedStart.Of(
            () => App(new Dictionary<string, string?> { ["Dashboard:Auth:Token"] = token }),
            factory => factory.CreateClient());

        var message = error.ToString();
        Assert.Contains("Dashboard:Auth:Token must be at least 16 characters", message, StringComparison.Ordinal);
        Assert.DoesNotContain(token, message.Replace("Dashboard:Auth:Token", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Tokens_are_redacted_whatever_their_length()
    {
        const string ReadToken = "read-only-token-0123456789";
        using var factory = App(new Dictionary<string, string?> { ["Dashboard:Auth:ReadToken"] = ReadToken });
        _ = factory.Services.GetRequiredService<SignInToken>();
        var redactor = factory.Services.GetRequiredService<SecretRedactor>();

        Assert.Equal("a *** b *** c", redactor.Redact($"a {TestApp.Token} b {ReadToken} c"));
    }

    [Fact]
    public void The_printed_sign_in_link_is_reachable_when_bound_to_all_interfaces()
    {
        var links = SignInStartup.SignInLinks(["http://0.0.0.0:5102", "http://[::]:5103", "http://127.0.0.1:5104"], null, "build-box", "tok").ToList();
        var withPublic = SignInStartup.SignInLinks(["http://0.0.0.0:5102"], "https://dash.example/board/", "build-box", "tok").ToList();

        Assert.Contains("http://build-box:5102/login?t=tok", links);
        Assert.Contains("http://build-box:5103/login?t=tok", links);
        Assert.Contains("http://127.0.0.1:5104/login?t=tok", links);
        Assert.Equal("https://dash.example/board/login?t=tok", withPublic[0]);
    }

    private static string? CookiePair(HttpResponseMessage response, string namePrefix) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? cookies.FirstOrDefault(c => c.StartsWith(namePrefix, StringComparison.Ordinal))?.Split(';')[0]
            : null;

    [GeneratedRegex("""<input type="hidden" name="(?<name>__RequestVerificationToken)" value="(?<value>[^"]+)""")]
    private static partial Regex SignInFormToken();

    [GeneratedRegex("""<form method="post" action="/logout"[^>]*>\s*<input type="hidden" name="(?<name>[^"]+)" value="(?<value>[^"]+)""")]
    private static partial Regex SignOutForm();
}
