using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Hosting;
using Dashboard.Ingest.Monitoring;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Hosting;

/// <summary>/healthz and /readyz on the real app (real Kestrel socket), with and without the token, with and without the path base.</summary>
public sealed class HealthEndpointsTests
{
    [Fact]
    public async Task Liveness_and_readiness_answer_anyone_with_a_word_and_only_the_token_holder_with_detail()
    {
        using var server = new TestApp(new Dictionary<string, string?>()) { Demo = false };
        using var anonymous = server.CreateApiClient(authorized: false);
        using var withToken = server.CreateApiClient();

        using var live = await anonymous.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("Healthy", await live.Content.ReadAsStringAsync());

        using var ready = await anonymous.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());

        using var detailed = await withToken.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, detailed.StatusCode);
        using var json = JsonDocument.Parse(await detailed.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", json.RootElement.GetProperty("status").GetString());
        var names = json.RootElement.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Contains("serving", names);
        Assert.Contains("backends", names);

        // A wrong token is anyone.
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/readyz");
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token");
        using var wrongResponse = await anonymous.SendAsync(wrong);
        Assert.Equal("Healthy", await wrongResponse.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_backend_in_trouble_makes_readiness_degraded_but_still_200_and_names_it_to_the_token_holder()
    {
        // Nothing listens on port 9 of loopback: the always-on stream fails and keeps reconnecting.
        using var server = new TestApp(new Dictionary<string, string?>
        {
            ["Dashboard:Backends:0:Name"] = "gone",
            ["Dashboard:Backends:0:Kind"] = "sse",
            ["Dashboard:Backends:0:Url"] = "http://127.0.0.1:9/stream",
        }) { Demo = false };
        using var anonymous = server.CreateApiClient(authorized: false);
        using var withToken = server.CreateApiClient();

        var hub = server.Services.GetRequiredService<IEventHub>();
        var monitors = server.Services.GetRequiredService<BackendMonitors>();
        using (var changes = hub.Subscribe(e => e is BackendHealthChanged { Health.Name: "gone" }))
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            // Subscribed first, then read: a change after the read is still queued.
            while (!BackendsHealthCheck.InTrouble(monitors.For("gone").Health))
            {
                await changes.Events.ReadAsync(cts.Token);
            }
        }

        using var ready = await anonymous.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Degraded", await ready.Content.ReadAsStringAsync());
        using var detailed = await withToken.GetAsync("/readyz");
        var body = await detailed.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, detailed.StatusCode);
        Assert.Contains("\"gone\"", body, StringComparison.Ordinal);
        Assert.Contains("failed or reconnecting: gone", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Both_answer_under_the_path_base_and_without_it()
    {
        using var server = new TestApp(new Dictionary<string, string?> { ["Dashboard:PathBase"] = "/dashboard/" }) { Demo = false };
        using var client = server.CreateApiClient(authorized: false);

        foreach (var path in new[] { "/dashboard/healthz", "/dashboard/readyz", "/healthz", "/readyz" })
        {
            using var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
            Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
        }
    }
}
