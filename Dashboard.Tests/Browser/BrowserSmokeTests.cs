using Dashboard.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Dashboard.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class BrowserSmokeTests(ChromiumFixture chromium)
{
    [Fact]
    public async Task Signed_in_chromium_renders_the_dashboard_interactively()
    {
        await using var server = new TestApp();
        var page = await BrowserSession.SignedInPageAsync(chromium, server);

        // The overview itself, not the sign-in page: its heading, and the layout's interactive marker
        // (set only once the circuit has rendered), so a prerender-only page cannot pass.
        await Expect(page).ToHaveURLAsync(server.BaseUrl + "/");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Overview");
        await Expect(page.Locator("form[action*='login']")).ToHaveCountAsync(0);
        await BrowserSession.CloseAsync(chromium, page);
    }
}
