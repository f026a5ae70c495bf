using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Dashboard.Tests.Demo;

/// <summary>Drives the demo codegen server the way a client does: login, start, stream token, stream.</summary>
internal static class DemoTestClient
{
    public const string Codegen = "demo/codegen";

    public static async Task<string> LoginAsync(DemoHost host)
    {
        var password = host.Service<Dashboard.Demo.DemoCredentials>().Password;
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "demo", ["password"] = password });
        using var response = await host.Client.PostAsync($"{Codegen}/auth/login", form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("bearer", body.RootElement.GetProperty("token_type").GetString());
        return body.RootElement.GetProperty("access_token").GetString()!;
    }

    public static async Task<string> IterateAsync(DemoHost host, string bearer, string prompt)
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["parent_generation_id"] = "7d0c1f1e-2b52-4c33-9a8e-2f4b5d6c7e81",
            ["modification_prompt"] = prompt,
        });
        using var response = await host.Client.SendAsync(DemoHost.PostJson($"{Codegen}/generations/iterate", json, bearer));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("pending", body.RootElement.GetProperty("status").GetString());
        return body.RootElement.GetProperty("generation_id").GetString()!;
    }

    public static async Task<HttpResponseMessage> RequestStreamTokenAsync(DemoHost host, string bearer, string id) =>
        await host.Client.SendAsync(DemoHost.PostJson($"{Codegen}/generations/generate/{id}/stream-token", "", bearer));

    public static async Task<string> StreamTokenAsync(DemoHost host, string bearer, string id)
    {
        using var response = await RequestStreamTokenAsync(host, bearer, id);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(60, body.RootElement.GetProperty("expires_in").GetInt32());
        Assert.Equal(id, body.RootElement.GetProperty("generation_id").GetString());
        var token = body.RootElement.GetProperty("sse_token").GetString()!;
        Assert.EndsWith($"/demo/codegen/generations/generate/{id}/stream?token={token}", body.RootElement.GetProperty("stream_url").GetString(), StringComparison.Ordinal);
        return token;
    }

    public static string StreamPath(string id, string token) => $"{Codegen}/generations/generate/{id}/stream?token={Uri.EscapeDataString(token)}";

    public static async Task<List<string>> ReadAllAsync(DemoHost host, string path)
    {
        var events = new List<string>();
        await foreach (var data in host.ReadEventsAsync(DemoHost.Get(path)))
        {
            events.Add(data);
        }

        return events;
    }

    public static string Field(string json, string name)
    {
        using var document = JsonDocument.Parse(json);
        var value = document.RootElement.GetProperty(name);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>());
}
