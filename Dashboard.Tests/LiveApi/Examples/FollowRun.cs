using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace DashboardClient;

/// <summary>Starts a run on a dashboard and prints its text as it streams, until the run ends.</summary>
public static class FollowRun
{
    public static async Task<string> RunAsync(Uri dashboard, string token, string backend, string prompt, TextWriter output)
    {
        using var http = new HttpClient { BaseAddress = dashboard };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(dashboard, "hubs/events"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .WithStatefulReconnect()
            .Build();
        await hub.StartAsync();

        // Where the event log stands now: following from here cannot miss the run started next.
        var here = await hub.InvokeAsync<JsonElement>("GetSnapshot");
        using var started = await http.PostAsJsonAsync("api/runs", new { backend, prompt });
        started.EnsureSuccessStatusCode();
        var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var request = new
        {
            runId,
            fromSequence = here.GetProperty("lastSequence").GetInt64(),
            instance = here.GetProperty("instance").GetString(),
        };
        var text = new StringBuilder();
        await foreach (var e in hub.StreamAsync<JsonElement>("Subscribe", request))
        {
            var data = e.GetProperty("data");
            switch (e.GetProperty("type").GetString())
            {
                case "run.text" when data.GetProperty("channel").GetString() == "output":
                    if (data.TryGetProperty("snapshot", out var whole))
                    {
                        // A snapshot replaces the text so far.
                        text.Clear().Append(whole.GetString());
                        output.Write($"\n{whole.GetString()}");
                    }
                    else
                    {
                        var delta = data.GetProperty("delta").GetString();
                        text.Append(delta);
                        output.Write(delta);
                    }

                    break;
                case "run.ended":
                    output.WriteLine($"\n[{data.GetProperty("status").GetString()}]");
                    return text.ToString();

                // Every other type, and any type added later, is ignored.
            }
        }

        throw new InvalidOperationException("The stream ended before the run did.");
    }
}
