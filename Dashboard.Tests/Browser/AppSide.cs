using Dashboard.Testing;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dashboard.Domain;
using Dashboard.Events;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Browser;

/// <summary>The app's side of a browser test: its JSON API (bearer token) and its event hub.</summary>
public static class AppSide
{
    public static HttpClient ApiClient(TestApp server) => new()
    {
        BaseAddress = new Uri(server.BaseUrl),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", TestApp.Token) },
    };

    /// <summary>Starts a run through POST /api/runs, like a script would; returns its id.</summary>
    public static async Task<string> StartRunAsync(TestApp server, string backend, string prompt)
    {
        using var client = ApiClient(server);
        using var response = await client.PostAsJsonAsync("/api/runs", new { backend, prompt });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("id").GetString()!;
    }

    public static IEventHub Hub(TestApp server) => server.Services.GetRequiredService<IEventHub>();

    /// <summary>Waits (bounded) for the run's terminal status as the app's own state sees it.</summary>
    public static async Task<RunStatus> WaitForEndAsync(TestApp server, string runId, TimeSpan timeout)
    {
        var hub = Hub(server);
        using var subscription = hub.Subscribe(e => e is RunEnded ended && ended.RunId == runId);
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            // The subscription starts from a snapshot: reading the state after subscribing misses nothing.
            if (hub.State.GetRun(runId) is { } run && run.Status.IsTerminal())
            {
                return run.Status;
            }

            await subscription.Events.ReadAsync(cts.Token);
        }
    }
}
