using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Dashboard.Runs;
using Dashboard.ScaleOut;
using Dashboard.Testing;
using Dashboard.Tests.Browser;
using Dashboard.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Dashboard.Tests.Browser.BrowserSession;
using static Microsoft.Playwright.Assertions;

namespace Dashboard.Tests.ScaleOut;

/// <summary>
/// Three replicas behind the README's sticky nginx block, used in real Chromium: one browser is
/// kept on one replica, a second browser on another starts a run from that replica's form, and
/// the first sees it live (running, then completed) while the third replica's API lists it.
/// The browser collection's Chromium runs it; PostgreSQL and Redis are this class's own.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ReplicaBrowserTests(ChromiumFixture chromium, PostgresServer postgres, RedisServer redis)
    : IClassFixture<PostgresServer>, IClassFixture<RedisServer>
{
    [Fact]
    public async Task Through_sticky_nginx_a_browser_on_one_replica_sees_live_a_run_started_from_another_replicas_form_and_a_third_lists_it()
    {
        var database = await postgres.CreateDatabaseAsync();
        var port = NginxProxy.FreePort();
        var origin = $"https://127.0.0.1:{port}";
        var release = new TaskCompletionSource();
        await using var a = Replica(database, origin, release);
        await using var b = Replica(database, origin, release);
        await using var c = Replica(database, origin, release);
        var replicas = new[] { a, b, c }.ToDictionary(r => r.Services.GetRequiredService<RedisCoordinator>().ReplicaId);
        using var nginx = await NginxProxy.StartReplicasAsync(port, [a.BaseUrl, b.BaseUrl, c.BaseUrl]);

        // Route keys (the sticky cookie's value) that nginx sends to two different replicas.
        var routes = await RoutesAsync(origin);
        var (formRoute, formReplica) = routes.First();
        var (watchRoute, watchReplica) = routes.First(r => r.Value != formReplica);
        var formApp = replicas[formReplica];
        var watchApp = replicas[watchReplica];
        var third = replicas.Single(r => r.Key != formReplica && r.Key != watchReplica).Value;

        var watch = await PageOnAsync(origin, watchRoute);
        var form = await PageOnAsync(origin, formRoute);
        try
        {
            await watch.GotoAsync(origin + "/runs");
            await WaitInteractiveAsync(watch);

            await form.GotoAsync(origin + "/runs/new");
            await WaitInteractiveAsync(form);
            await SelectAsync(form, "field-backend", "alpha");
            await form.Locator("#field-prompt").FillAsync("About giraffes, from another replica");
            await form.Locator("#start-submit").ClickAsync();
            await Expect(form).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/runs/(?!new$)[^/?#]+$"), new() { Timeout = WaitMs });
            var id = new Uri(form.Url).Segments[^1];

            // The form's replica follows the run; the watching browser's replica shows it live without a reload.
            Assert.True(formApp.Services.GetRequiredService<RunManager>().IsFollowing(id));
            Assert.False(watchApp.Services.GetRequiredService<RunManager>().IsFollowing(id));
            var row = watch.Locator($"tr[data-run='{id}'] [data-status]");
            await Expect(row).ToHaveAttributeAsync("data-status", "running", new() { Timeout = WaitMs });

            using var thirdApi = third.CreateApiClient();
            using (var list = JsonDocument.Parse(await thirdApi.GetStringAsync("/api/runs")))
            {
                Assert.Contains(list.RootElement.EnumerateArray(), r => r.GetProperty("id").GetString() == id);
            }

            // The run's own page on the watching replica, open while the run is in flight, shows it end.
            await watch.GotoAsync($"{origin}/runs/{id}");
            await WaitInteractiveAsync(watch);
            var status = watch.Locator("[data-status]").First;
            await Expect(status).ToHaveAttributeAsync("data-status", "running", new() { Timeout = WaitMs });
            release.TrySetResult();
            await ReplicaClusterTests.WaitForRunAsync(thirdApi, id, r => r.GetProperty("status").GetString() == "completed");
            await Expect(status).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = WaitMs });
            await Expect(watch.Locator("#run-output")).ToContainTextAsync("About giraffes", new() { Timeout = WaitMs });
        }
        finally
        {
            release.TrySetResult();
            await CloseAsync(chromium, watch);
            await CloseAsync(chromium, form);
        }
    }

    /// <summary>A signed-in browser context whose sticky cookie is set to <paramref name="route"/> before its first request.</summary>
    private async Task<IPage> PageOnAsync(string origin, string route)
    {
        var context = await chromium.NewContextAsync(new() { IgnoreHTTPSErrors = true });
        context.SetDefaultTimeout(WaitMs);
        await context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "dashboard_route", Value = route, Url = origin }]);
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{origin}/login?t={Uri.EscapeDataString(TestApp.Token)}");
        await Expect(page).ToHaveURLAsync(origin + "/", new() { Timeout = WaitMs });
        await WaitInteractiveAsync(page);
        return page;
    }

    /// <summary>Route keys and the replica nginx sends each to (from readiness detail), until at least two replicas are covered.</summary>
    private static async Task<Dictionary<string, string>> RoutesAsync(string origin)
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator, UseCookies = false };
        using var client = new HttpClient(handler) { BaseAddress = new Uri(origin) };
        var routes = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < 64 && routes.Values.Distinct().Count() < 3; i++)
        {
            var route = $"route-{i}";
            using var request = new HttpRequestMessage(HttpMethod.Get, "/readyz");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestApp.Token);
            request.Headers.Add("Cookie", $"dashboard_route={route}");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var check = body.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "redis");
            routes[route] = check.GetProperty("data").GetProperty("replica").GetString()!;
        }

        Assert.True(routes.Values.Distinct().Count() == 3, $"64 route keys reached only {string.Join(", ", routes.Values.Distinct())}");
        return routes;
    }

    private TestApp Replica(string database, string origin, TaskCompletionSource release) => new(new Dictionary<string, string?>
    {
        ["Dashboard:Storage:Provider"] = "postgres",
        ["ConnectionStrings:Dashboard"] = database,
        ["Dashboard:ScaleOut:Redis"] = redis.ConnectionString,
        ["Dashboard:PublicUrl"] = origin,
        ["Dashboard:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
        ["Dashboard:Backends:0:Name"] = "alpha",
        ["Dashboard:Backends:0:Kind"] = "test-runs",
    })
    {
        Environment = "Production",
        Demo = false,
        QuietLogs = true,
        Kinds = [ReplicaClusterTests.Gated(release)],
    };
}
