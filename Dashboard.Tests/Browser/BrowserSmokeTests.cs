using Microsoft.Playwright;

namespace Dashboard.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class BrowserSmokeTests(ChromiumFixture chromium)
{
    [Fact]
    public async Task The_app_serves_a_page_that_real_chromium_renders()
    {
        await using var server = new DashboardServer();
        var page = await chromium.Browser.NewPageAsync();
        var response = await page.GotoAsync(server.BaseUrl + "/");

        Assert.NotNull(response);
        Assert.True(response!.Ok, $"status {response.Status}");
        await Assertions.Expect(page.Locator("h1")).ToBeVisibleAsync();
        await page.CloseAsync();
    }
}
