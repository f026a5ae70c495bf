using Dashboard.Testing;
using System.Net.Sockets;
using System.Text;
using Dashboard.Demo;
using Dashboard.Domain;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Dashboard.Tests.Browser.BrowserSession;
using static Microsoft.Playwright.Assertions;

namespace Dashboard.Tests.Browser;

/// <summary>
/// Issue 6: configured credentials, the demo's credentials and the sign-in token appear in no
/// page (rendered in Chromium) and no API response, even after upstreams failed with errors that
/// echo the credentials back.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SecretsSweepBrowserTests(ChromiumFixture chromium)
{
    private const string CodegenPassword = "sweep-pw-9d41c7e2b6";
    private const string OpenAiKey = "sk-sweep-key-5f08a3d1c9";
    private const string OpenAiHeader = "sweep-hdr-71b2e94c03";
    private const string DreamerHeader = "sweep-dreamer-hdr-2a6c58f1e7";

    [Fact]
    public async Task No_page_or_api_response_contains_a_secret()
    {
        // A careless upstream: it refuses every request with 401 and echoes the whole request
        // (headers and body, credentials included) in its error body, as some servers do.
        await using var echo = await LoopbackUpstream.StartAsync(async (context, _) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("refused: " + Echo(context.Request.Method, $"{context.Request.Path}{context.Request.QueryString}",
                context.Request.Headers.Select(h => (h.Key, h.Value.ToString())), body), context.RequestAborted);
        });
        var echoUrl = echo.BaseUrl.TrimEnd('/');
        var settings = new Dictionary<string, string?>(BrowserSession.Demo(timeScale: 0.05))
        {
            ["Dashboard:Demo:Enabled"] = "true",
            ["Dashboard:Backends:0:Name"] = "sweep-codegen",
            ["Dashboard:Backends:0:Kind"] = "codegen",
            ["Dashboard:Backends:0:BaseUrl"] = echoUrl,
            ["Dashboard:Backends:0:Username"] = "sweep-user",
            ["Dashboard:Backends:0:Password"] = CodegenPassword,
            ["Dashboard:Backends:1:Name"] = "sweep-openai",
            ["Dashboard:Backends:1:Kind"] = "openai-chat",
            ["Dashboard:Backends:1:BaseUrl"] = echoUrl + "/v1",
            ["Dashboard:Backends:1:ApiKey"] = OpenAiKey,
            ["Dashboard:Backends:1:Model"] = "sweep-model",
            ["Dashboard:Backends:1:Headers:X-Secret"] = OpenAiHeader,
            ["Dashboard:Backends:2:Name"] = "sweep-dreamer",
            ["Dashboard:Backends:2:Kind"] = "codedreamer",
            ["Dashboard:Backends:2:BaseUrl"] = $"http://127.0.0.1:{ClosedPort()}",
            ["Dashboard:Backends:2:Headers:X-Api-Token"] = DreamerHeader,
        };
        await using var server = new TestApp(settings);
        _ = server.BaseUrl;
        var demo = server.Services.GetRequiredService<DemoCredentials>();
        var secrets = new[] { CodegenPassword, OpenAiKey, OpenAiHeader, DreamerHeader, demo.Password, demo.ApiKey, TestApp.Token };
        string[] backends = ["sweep-codegen", "sweep-openai", "sweep-dreamer", DemoBackendSource.DreamerName, DemoBackendSource.CodegenName, DemoBackendSource.OpenAiName];

        // Controls: the search finds what is there; the secrets were really sent upstream (so a careless error could echo them).
        var configuration = server.Services.GetRequiredService<IConfiguration>();
        var configured = string.Join("\n", configuration.AsEnumerable().Select(kv => $"{kv.Key}={kv.Value}"));
        Assert.Equal([CodegenPassword, OpenAiKey, OpenAiHeader, DreamerHeader, TestApp.Token], Leaks(configured, secrets));

        string[] runBackends = ["sweep-codegen", "sweep-openai", DemoBackendSource.CodegenName, DemoBackendSource.OpenAiName];
        var runs = new List<string>();
        foreach (var backend in runBackends)
        {
            runs.Add(await AppSide.StartRunAsync(server, backend, $"Add a health endpoint to {backend}"));
        }

        var outcomes = new List<RunStatus>();
        foreach (var run in runs)
        {
            outcomes.Add(await AppSide.WaitForEndAsync(server, run, TimeSpan.FromSeconds(60)));
        }

        // Control for the demo's credentials: the demo upstreams refuse a wrong key, and the runs on
        // them completed, so the real password and key travelled (and a careless path could show them).
        Assert.Equal([RunStatus.Completed, RunStatus.Completed], outcomes.Skip(2));
        using (var direct = new HttpClient { BaseAddress = new Uri(server.BaseUrl) })
        {
            async Task<System.Net.HttpStatusCode> ChatWithKeyAsync(string key)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/demo/openai/v1/chat/completions")
                {
                    Content = new StringContent("""{"model":"demo","stream":true,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
                };
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
                using var response = await direct.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                return response.StatusCode;
            }

            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, await ChatWithKeyAsync("sk-demo-wrong"));
            Assert.Equal(System.Net.HttpStatusCode.OK, await ChatWithKeyAsync(demo.ApiKey));
        }

        // The runs on the careless upstream failed with its echo as the reason.
        foreach (var run in runs.Take(2))
        {
            Assert.Contains("refused", AppSide.Hub(server).State.GetRun(run)?.Error ?? "", StringComparison.Ordinal);
        }

        var sentUpstream = string.Join("\n", echo.Requests.Select(r => Echo(r.Method, r.PathAndQuery, r.Headers.Select(h => (h.Key, h.Value)), r.Body)));
        Assert.Equal([CodegenPassword, OpenAiKey, OpenAiHeader], Leaks(sentUpstream, secrets));

        var seen = new List<(string Where, string Text)>();
        var page = await SignedInPageAsync(chromium, server);
        try
        {
            async Task CaptureAsync(string path)
            {
                var response = await page.GotoAsync(server.BaseUrl + path);
                seen.Add(($"GET {path}", await response!.TextAsync()));
                await WaitInteractiveAsync(page);
                seen.Add(($"DOM {path}", await page.ContentAsync()));
            }

            await CaptureAsync("/");
            await CaptureAsync("/runs");
            await CaptureAsync("/runs/new");
            await page.Locator(".mud-input-control.mud-select:has(#field-backend)").ClickAsync();
            await Expect(page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "sweep-codegen" })).ToBeVisibleAsync(new() { Timeout = WaitMs });
            seen.Add(("DOM /runs/new backend list", await page.ContentAsync()));
            foreach (var run in runs)
            {
                await CaptureAsync($"/runs/{run}");
                await Expect(page.Locator("#run-outcome")).ToBeVisibleAsync(new() { Timeout = WaitMs });
                seen.Add(($"DOM /runs/{run} ended", await page.ContentAsync()));
            }

            await CaptureAsync("/backends");
            // The connection failures are on the page (their messages are what could carry a credential).
            foreach (var failing in new[] { "sweep-openai", "sweep-dreamer" })
            {
                await Expect(page.Locator($"[data-backend='{failing}'] .last-error")).Not.ToHaveTextAsync("none", new() { Timeout = WaitMs });
            }

            seen.Add(("DOM /backends with errors", await page.ContentAsync()));
            foreach (var backend in backends)
            {
                await SelectAsync(page, "inspector-backend", backend);
                seen.Add(($"DOM /backends inspector {backend}", await page.ContentAsync()));
            }
        }
        finally
        {
            await CloseAsync(chromium, page);
        }

        using var api = AppSide.ApiClient(server);
        var apiPaths = new List<string> { "/api/backends", "/api/graph", "/api/runs" };
        apiPaths.AddRange(backends.Select(b => $"/api/backends/{b}/events"));
        apiPaths.AddRange(runs.Select(r => $"/api/runs/{r}"));
        foreach (var path in apiPaths)
        {
            using var response = await api.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
            seen.Add(($"API {path}", body));
        }

        // The errors really happened and are shown (redacted), so the sweep looked at them.
        Assert.Contains(seen, s => s.Text.Contains("refused", StringComparison.Ordinal));
        var leaks = seen.SelectMany(s => Leaks(s.Text, secrets).Select(secret => $"{s.Where} contains {Describe(secret, secrets)}")).ToList();
        Assert.True(leaks.Count == 0, string.Join("\n", leaks));
    }

    private static string[] Leaks(string text, IEnumerable<string> secrets) =>
        secrets.Where(s => text.Contains(s, StringComparison.Ordinal)
            || text.Contains(Uri.EscapeDataString(s), StringComparison.Ordinal)
            || text.Contains(Convert.ToBase64String(Encoding.UTF8.GetBytes(s)), StringComparison.Ordinal)).ToArray();

    private static string Describe(string secret, string[] secrets) => $"secret #{Array.IndexOf(secrets, secret)}";

    private static int ClosedPort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Echo(string method, string pathAndQuery, IEnumerable<(string Name, string Value)> headers, string body) =>
        $"{method} {pathAndQuery}\n" + string.Join("\n", headers.Select(h => $"{h.Name}: {h.Value}")) + "\n\n" + body;
}
