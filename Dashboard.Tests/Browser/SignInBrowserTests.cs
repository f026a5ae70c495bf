using Dashboard.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Dashboard.Tests.Browser;

/// <summary>Signing in, in a page in a new browser's state (no cookie yet).</summary>
[Collection(BrowserCollection.Name)]
public sealed class SignInBrowserTests(ChromiumFixture chromium, FastDemoApp app) : IClassFixture<FastDemoApp>
{
    private TestApp Server => app.Server;

    [Fact]
    public async Task Without_the_cookie_the_overview_is_the_sign_in_page_and_shows_no_data()
    {
        var page = await chromium.BorrowPageAsync();
        var context = page.Context;
        try
        {
            await page.GotoAsync(Server.BaseUrl + "/");

            await Expect(page.Locator("h1")).ToHaveTextAsync("Sign in", new() { Timeout = BrowserSession.WaitMs });
            Assert.StartsWith(Server.BaseUrl + "/login", page.Url, StringComparison.Ordinal);
            var html = await page.ContentAsync();
            Assert.DoesNotContain("demo-dreamer", html, StringComparison.Ordinal);
            Assert.DoesNotContain("Graphs", html, StringComparison.Ordinal);
            Assert.DoesNotContain(await context.CookiesAsync([Server.BaseUrl]), c => c.Name == ".Dashboard.Auth");
        }
        finally
        {
            await chromium.ReturnPageAsync(page);
        }
    }

    [Fact]
    public async Task The_sign_in_link_sets_an_http_only_cookie_and_lands_on_the_overview_without_the_token()
    {
        var page = await chromium.BorrowPageAsync();
        var context = page.Context;
        try
        {
            await page.GotoAsync($"{Server.BaseUrl}/login?t={TestApp.Token}");

            await Expect(page).ToHaveURLAsync(Server.BaseUrl + "/", new() { Timeout = BrowserSession.WaitMs });
            await Expect(page.Locator("h1")).ToHaveTextAsync("Overview", new() { Timeout = BrowserSession.WaitMs });
            Assert.DoesNotContain(TestApp.Token, page.Url, StringComparison.Ordinal);
            var cookie = Assert.Single(await context.CookiesAsync([Server.BaseUrl]), c => c.Name == ".Dashboard.Auth");
            Assert.True(cookie.HttpOnly);
            Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
            Assert.DoesNotContain(TestApp.Token, cookie.Value, StringComparison.Ordinal);
        }
        finally
        {
            await chromium.ReturnPageAsync(page);
        }
    }

    [Fact]
    public async Task A_wrong_token_in_the_link_is_refused_and_signs_nobody_in()
    {
        var page = await chromium.BorrowPageAsync();
        var context = page.Context;
        try
        {
            var response = await page.GotoAsync($"{Server.BaseUrl}/login?t=not-the-token");

            Assert.Equal(401, response!.Status);
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("invalid or expired");
            Assert.DoesNotContain(await context.CookiesAsync([Server.BaseUrl]), c => c.Name == ".Dashboard.Auth");
        }
        finally
        {
            await chromium.ReturnPageAsync(page);
        }
    }
}
