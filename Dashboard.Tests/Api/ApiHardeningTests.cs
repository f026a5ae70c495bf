using Dashboard.Testing;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dashboard.Backends;
using Dashboard.Domain;
using Dashboard.Tests.Runs;

namespace Dashboard.Tests.Api;

/// <summary>The read-only token, Retry-After on 429, bad encodings and a fuzz corpus against every API route.</summary>
public sealed class ApiHardeningTests : IAsyncLifetime
{
    private const string ReadToken = "read-only-token-for-ci-0123456789";

    private TestApp _server = null!;
    private HttpClient _client = null!;

    public Task InitializeAsync()
    {
        _server = new TestApp(new Dictionary<string, string?>
        {
            ["Dashboard:Auth:ReadToken"] = ReadToken,
            ["Dashboard:Backends:0:Name"] = "alpha",
            ["Dashboard:Backends:0:Kind"] = "test-runs",
            ["Dashboard:Backends:1:Name"] = "single",
            ["Dashboard:Backends:1:Kind"] = "test-hold",
            ["Dashboard:Backends:1:MaxConcurrentRuns"] = "1",
        })
        {
            Demo = false,
            Kinds = [new TestBackendKind("test-runs"), new TestBackendKind("test-hold") { Run = (_, ct) => Task.Delay(Timeout.Infinite, ct) }],
        };
        _client = _server.CreateApiClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private static HttpRequestMessage Request(HttpMethod method, string url, string? token, string? json = null)
    {
        var request = new HttpRequestMessage(method, url);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    private async Task<HttpStatusCode> Status(HttpMethod method, string url, string? token, string? json = null)
    {
        using var client = new HttpClient { BaseAddress = _client.BaseAddress };
        using var response = await client.SendAsync(Request(method, url, token, json));
        return response.StatusCode;
    }

    [Fact]
    public async Task The_read_token_reads_everything_and_changes_nothing()
    {
        const string Start = """{"backend":"alpha","prompt":"hello"}""";

        Assert.Equal(HttpStatusCode.OK, await Status(HttpMethod.Get, "/api/backends", ReadToken));
        Assert.Equal(HttpStatusCode.OK, await Status(HttpMethod.Get, "/api/runs", ReadToken));
        Assert.Equal(HttpStatusCode.OK, await Status(HttpMethod.Get, "/api/graph", ReadToken));
        Assert.Equal(HttpStatusCode.OK, await Status(HttpMethod.Get, "/api/backends/alpha/events", ReadToken));
        Assert.Equal(HttpStatusCode.NotFound, await Status(HttpMethod.Get, "/api/runs/run-000000000000", ReadToken));
        Assert.Equal(HttpStatusCode.Forbidden, await Status(HttpMethod.Post, "/api/runs", ReadToken, Start));
        Assert.Equal(HttpStatusCode.Forbidden, await Status(HttpMethod.Post, "/api/runs/run-000000000000/cancel", ReadToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await Status(HttpMethod.Get, "/api/runs", ReadToken + "x"));
        Assert.Equal(HttpStatusCode.Accepted, await Status(HttpMethod.Post, "/api/runs", TestApp.Token, Start));
        Assert.Equal(HttpStatusCode.NotFound, await Status(HttpMethod.Post, "/api/runs/run-000000000000/cancel", TestApp.Token));
    }

    [Fact]
    public async Task Too_many_runs_is_429_with_retry_after()
    {
        const string Start = """{"backend":"single","prompt":"hold"}""";
        using var first = await _client.SendAsync(Request(HttpMethod.Post, "/api/runs", TestApp.Token, Start));
        using var second = await _client.SendAsync(Request(HttpMethod.Post, "/api/runs", TestApp.Token, Start));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(10), second.Headers.RetryAfter?.Delta);
    }

    public static TheoryData<string, string, string> BadEncodings => new()
    {
        // Raw body bytes (hex), the field the problem must name.
        { "lone high surrogate in prompt", Hex("{\"backend\":\"alpha\",\"prompt\":\"a\\ud800b\"}"), "prompt" },
        { "lone low surrogate in backend", Hex("{\"backend\":\"\\udc00\",\"prompt\":\"x\"}"), "backend" },
        { "reversed pair in parentRunId", Hex("{\"backend\":\"alpha\",\"prompt\":\"x\",\"parentRunId\":\"\\udc00\\ud800\"}"), "parentRunId" },
        { "invalid UTF-8 byte in prompt", Hex("{\"backend\":\"alpha\",\"prompt\":\"a") + "FF" + Hex("b\"}"), "prompt" },
        { "overlong UTF-8 in prompt", Hex("{\"backend\":\"alpha\",\"prompt\":\"a") + "C0AF" + Hex("b\"}"), "prompt" },
        { "truncated UTF-8 sequence in prompt", Hex("{\"backend\":\"alpha\",\"prompt\":\"a") + "E282" + Hex("b\"}"), "prompt" },
        { "UTF-8 encoded surrogate in prompt", Hex("{\"backend\":\"alpha\",\"prompt\":\"a") + "EDA080" + Hex("b\"}"), "prompt" },
        { "lone surrogate in an option value", Hex("{\"backend\":\"alpha\",\"prompt\":\"x\",\"options\":{\"temperature\":\"\\ud800\"}}"), "options" },
        { "lone surrogate in an option name", Hex("{\"backend\":\"alpha\",\"prompt\":\"x\",\"options\":{\"\\ud800\":1}}"), "options" },
        { "invalid UTF-8 in a nested option", Hex("{\"backend\":\"alpha\",\"prompt\":\"x\",\"options\":{\"a\":[\"") + "FE" + Hex("\"]}}"), "options" },
    };

    [Theory]
    [MemberData(nameof(BadEncodings))]
    public async Task Bad_encodings_are_400_problems_naming_the_field(string name, string bodyHex, string field)
    {
        using var content = new ByteArrayContent(Convert.FromHexString(bodyHex));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _client.PostAsync("/api/runs", content);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        var errors = problem.RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _) || errors.TryGetProperty("body", out _), $"{name}: {body}");
        if (!name.Contains("UTF-8", StringComparison.Ordinal))
        {
            // An escaped surrogate parses as JSON: the problem names the exact field.
            Assert.True(errors.TryGetProperty(field, out _), $"{name}: {body}");
        }
    }

    [Fact]
    public async Task No_route_answers_500_to_a_generated_corpus_of_bodies_and_path_parameters()
    {
        var random = new Random(20261127);
        var bodies = Corpus(random).ToList();
        var segments = new[]
        {
            "x", "", "%00", "%FF", "%ED%A0%80", "%C0%AF", "..%2F..%2Fetc", new string('a', 3000), "run-%F0%9F%92%A9", "%25", "alpha%2Fevents", "%E2%80%AE", "%20", "%0D%0ASet-Cookie:x=1",
        };
        var queries = new[] { "", "?limit=-1", "?limit=99999999999999", "?limit=%FF", "?status=%ED%A0%80", "?backend=%00&status=running", "?limit=1e3" };
        var failures = new List<string>();

        async Task Check(HttpRequestMessage request, string what)
        {
            using (request)
            {
                using var response = await _client.SendAsync(request);
                if ((int)response.StatusCode >= 500)
                {
                    failures.Add($"{(int)response.StatusCode} for {what}");
                }
            }
        }

        foreach (var body in bodies)
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            await Check(new HttpRequestMessage(HttpMethod.Post, "/api/runs") { Content = content }, "POST /api/runs " + Convert.ToHexString(body.AsSpan(0, Math.Min(body.Length, 40))));
            var cancel = new ByteArrayContent(body);
            cancel.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            await Check(new HttpRequestMessage(HttpMethod.Post, "/api/runs/x/cancel") { Content = cancel }, "POST cancel with body");
        }

        foreach (var segment in segments)
        {
            foreach (var query in queries)
            {
                await Check(new HttpRequestMessage(HttpMethod.Get, $"/api/runs/{segment}{query}"), $"GET /api/runs/{segment}{query}");
                await Check(new HttpRequestMessage(HttpMethod.Get, $"/api/backends/{segment}/events{query}"), $"GET events {segment}{query}");
                await Check(new HttpRequestMessage(HttpMethod.Get, $"/api/runs{query}"), $"GET /api/runs{query}");
            }

            await Check(new HttpRequestMessage(HttpMethod.Post, $"/api/runs/{segment}/cancel"), $"POST cancel {segment}");
        }

        await Check(new HttpRequestMessage(HttpMethod.Get, "/api/backends"), "GET backends");
        await Check(new HttpRequestMessage(HttpMethod.Get, "/api/graph"), "GET graph");
        Assert.Empty(failures);
    }

    /// <summary>Bodies a careless or hostile client sends: broken JSON, wrong types, bad encodings, deep nesting, random bytes.</summary>
    private static IEnumerable<byte[]> Corpus(Random random)
    {
        string[] texts =
        [
            "", "{", "}", "[]", "null", "0", "\"x\"", "{\"backend\":", "{\"backend\":1,\"prompt\":[]}",
            "{\"backend\":\"alpha\",\"prompt\":\"x\",\"options\":[]}", "{\"backend\":\"alpha\",\"prompt\":\"x\",\"options\":{\"temperature\":1e999}}",
            "{\"backend\":\"alpha\",\"prompt\":\"x\",\"options\":{\"temperature\":\"\\ud800\"}}", "{\"backend\":\"alpha\",\"prompt\":\"\\u0000\"}",
            "{\"backend\":\"alpha\",\"prompt\":\"x\",\"parentRunId\":\"run-missing\"}", "{\"backend\":\"alpha\",\"prompt\":\"x\",\"parentRunId\":{}}",
            "{\"BACKEND\":\"alpha\",\"Prompt\":\"x\",\"backend\":\"nope\"}", "{\"backend\":\"alpha\",\"prompt\":\"x\"} trailing", "\uFEFF{\"backend\":\"alpha\",\"prompt\":\"x\"}",
            new string('[', 5000) + new string(']', 5000), "{\"a\":" + new string('{', 2000) + new string('}', 2001),
            "{\"backend\":\"alpha\",\"prompt\":\"" + new string('x', 200_000) + "\"}",
        ];
        foreach (var text in texts)
        {
            yield return Encoding.UTF8.GetBytes(text);
        }

        // Valid requests with one byte flipped, and random bytes.
        var valid = Encoding.UTF8.GetBytes("""{"backend":"alpha","prompt":"hello","options":{"temperature":0.5,"x":["a",{"b":null}]}}""");
        for (var i = 0; i < 60; i++)
        {
            var mutated = (byte[])valid.Clone();
            mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            yield return mutated;
        }

        for (var i = 0; i < 20; i++)
        {
            var bytes = new byte[random.Next(1, 300)];
            random.NextBytes(bytes);
            yield return bytes;
        }
    }

    private static string Hex(string text) => Convert.ToHexString(Encoding.UTF8.GetBytes(text));
}
