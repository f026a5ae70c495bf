using Dashboard.Testing;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Dashboard.Configuration;
using Dashboard.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Security;

/// <summary>Real Kestrel sockets on 127.0.0.1: what `dotnet run` prints must work in a client.</summary>
public sealed partial class RealServerTests
{
    [Fact]
    public async Task Printed_sign_in_link_signs_a_real_client_in()
    {
        using var factory = new TestApp(new Dictionary<string, string?> { ["Dashboard:Auth:Token"] = "" }) { Demo = false, Kestrel = false };
        factory.UseKestrel(0);
        factory.StartServer();

        var printed = factory.ConsoleOut.ToString();
        var link = SignInLink().Match(printed);
        Assert.True(link.Success, printed);
        var token = link.Groups["token"].Value;
        Assert.Equal(43, token.Length);
        Assert.DoesNotContain(factory.LogLines, line => line.Contains(token, StringComparison.Ordinal));

        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true };
        using var client = new HttpClient(handler);
        using var login = await client.GetAsync(new Uri(link.Groups["url"].Value));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        using var home = await client.GetAsync(new Uri(new Uri(link.Groups["url"].Value), "/"));
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);

        using var api = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(link.Groups["url"].Value), "/api/runs"));
        api.Headers.Add("Authorization", "Bearer " + token);
        using var apiResponse = await client.SendAsync(api);
        Assert.NotEqual(HttpStatusCode.Unauthorized, apiResponse.StatusCode);
    }

    [Fact]
    public async Task Unsecured_mode_on_a_real_loopback_socket_starts_and_says_so()
    {
        using var factory = new TestApp(new Dictionary<string, string?> { ["Dashboard:Auth:Mode"] = "Unsecured" }) { Demo = false, Kestrel = false };
        factory.UseKestrel(0);
        factory.StartServer();

        Assert.Contains("unsecured, loopback only", factory.ConsoleOut.ToString(), StringComparison.Ordinal);
        using var client = factory.CreateClient();
        using var home = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
    }

    /// <summary>The security layer alone with a few endpoints, on the tests' loopback server.</summary>
    private static Task<LoopbackUpstream> StartSecuredHost(Action<WebApplication> map) =>
        LoopbackUpstream.StartAsync(
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Dashboard:Auth:Token"] = TestApp.Token });
                builder.Services.AddOptions<DashboardOptions>().Bind(builder.Configuration.GetSection(DashboardOptions.SectionName));
                builder.Services.AddSingleton(new SignInConsole(TextWriter.Null));
                builder.AddDashboardSecurity();
            },
            app =>
            {
                app.UseDashboardSecurity();
                map(app);
            });

    [Fact]
    public async Task Api_group_takes_bearer_only_and_caps_request_bodies()
    {
        await using var app = await StartSecuredHost(app => app.MapGroup("/api").RequireDashboardApi().MapPost("/echo", async (HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            return Results.Ok(new { bytes = buffer.Length });
        }));
        // The body waits for the server's go-ahead (Expect: 100-continue, as long as it takes): an
        // oversized one is refused from its Content-Length before any of it is sent. Sent at once,
        // the server's 413 and close could race the client still writing it (a broken pipe).
        using var client = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(1) }) { BaseAddress = app.Root };

        async Task<HttpResponseMessage> Post(int bytes, string? authorization)
        {
            // JSON-typed: state-changing API requests take nothing else (415).
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/echo") { Content = new ByteArrayContent(new byte[bytes]) };
            request.Headers.ExpectContinue = true;
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            if (authorization is not null)
            {
                request.Headers.Add("Authorization", authorization);
            }

            return await client.SendAsync(request);
        }

        using var ok = await Post(10_000, "Bearer " + TestApp.Token);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(10_000, (await ok.Content.ReadFromJsonAsync<EchoReply>())!.Bytes);

        using var tooLarge = await Post((int)DashboardAuth.ApiMaxRequestBodyBytes + 1, "Bearer " + TestApp.Token);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);

        using var anonymous = await Post(10, null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task Demo_routes_are_anonymous_for_loopback_clients_while_other_routes_need_sign_in()
    {
        await using var app = await StartSecuredHost(app =>
        {
            app.MapGet("/demo/ping", () => "demo");
            app.MapGet("/private", () => "data");
        });
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = app.Root };

        using var demo = await client.GetAsync("/demo/ping");
        using var page = await client.GetAsync("/private");

        Assert.Equal(HttpStatusCode.OK, demo.StatusCode);
        Assert.Equal("demo", await demo.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.DoesNotContain("data", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await app.StopAsync();
    }

    private sealed record EchoReply(long Bytes);

    [GeneratedRegex(@"Dashboard sign-in: (?<url>http://127\.0\.0\.1:\d+/login\?t=(?<token>[A-Za-z0-9_-]+))")]
    private static partial Regex SignInLink();
}
