using System.Net;
using System.Security.Claims;
using Dashboard.Configuration;
using Dashboard.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.Security;

public sealed class DashboardAccessHandlerTests
{
    private static async Task<bool> Allowed(string mode, string path, string? remoteIp, bool signedIn, bool allowLoopbackDemo = true)
    {
        var options = Options.Create(new DashboardOptions { Auth = new AuthOptions { Mode = mode, Token = "some-token" } });
        var handler = new DashboardAccessHandler(new SignInToken(options, new SecretRedactor(options)));
        var http = new DefaultHttpContext();
        http.Request.Path = path;
        http.Connection.RemoteIpAddress = remoteIp is null ? null : IPAddress.Parse(remoteIp);
        var user = signedIn ? new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "u")], "test")) : new ClaimsPrincipal(new ClaimsIdentity());
        var requirement = new DashboardAccessRequirement(allowLoopbackDemo);
        var context = new AuthorizationHandlerContext([requirement], user, http);

        await handler.HandleAsync(context);
        return context.HasSucceeded;
    }

    [Theory]
    [InlineData("BrowserToken", "/", null, true, true)]
    [InlineData("BrowserToken", "/", "127.0.0.1", false, false)]
    [InlineData("BrowserToken", "/demo/codedreamer/events", "127.0.0.1", false, true)]
    [InlineData("BrowserToken", "/demo/codedreamer/events", "::1", false, true)]
    [InlineData("BrowserToken", "/demo/codedreamer/events", "::ffff:127.0.0.1", false, true)]
    [InlineData("BrowserToken", "/demo/codedreamer/events", "10.1.2.3", false, false)]
    [InlineData("BrowserToken", "/demonstration", "127.0.0.1", false, false)]
    [InlineData("Unsecured", "/", "127.0.0.1", false, true)]
    public async Task Access_rule(string mode, string path, string? remoteIp, bool signedIn, bool expected) =>
        Assert.Equal(expected, await Allowed(mode, path, remoteIp, signedIn));

    [Fact]
    public async Task The_api_policy_gives_no_anonymous_demo_exception() =>
        Assert.False(await Allowed("BrowserToken", "/demo/x", "127.0.0.1", signedIn: false, allowLoopbackDemo: false));
}
