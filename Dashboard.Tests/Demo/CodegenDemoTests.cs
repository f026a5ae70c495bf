using System.Net;
using System.Text.Json;
using Dashboard.Demo;

namespace Dashboard.Tests.Demo;

public sealed class CodegenDemoTests
{
    private const string Codegen = DemoTestClient.Codegen;

    [Fact]
    public async Task Login_with_a_wrong_password_is_401_with_fastapi_detail()
    {
        await using var host = await DemoHost.StartAsync();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "demo", ["password"] = "guess" });

        using var response = await host.Client.PostAsync($"{Codegen}/auth/login", form);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("""{"detail":"Incorrect username or password"}""", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-token")]
    public async Task The_api_requires_a_valid_bearer(string? bearer)
    {
        await using var host = await DemoHost.StartAsync();

        using var response = await host.Client.SendAsync(DemoHost.PostJson($"{Codegen}/generations/generate", """{"prompt":"Build a todo API please"}""", bearer));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("\"detail\":", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"prompt":"short"}""", "prompt", "string_too_short")]
    [InlineData("""{}""", "prompt", "missing")]
    [InlineData("""{"prompt":42}""", "prompt", "string_type")]
    [InlineData("""{"prompt":"Build a todo API please","generation_mode":"turbo"}""", "generation_mode", "enum")]
    public async Task Generate_validates_like_fastapi(string body, string field, string type)
    {
        await using var host = await DemoHost.StartAsync();
        var bearer = await DemoTestClient.LoginAsync(host);

        using var response = await host.Client.SendAsync(DemoHost.PostJson($"{Codegen}/generations/generate", body, bearer));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var detail = (await DemoTestClient.JsonAsync(response)).GetProperty("detail")[0];
        Assert.Equal(["body", field], detail.GetProperty("loc").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(type, detail.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(detail.GetProperty("msg").GetString()));
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"parent_generation_id":"nope","modification_prompt":"Add pagination to the list"}""")]
    [InlineData("""{"parent_generation_id":"7d0c1f1e-2b52-4c33-9a8e-2f4b5d6c7e81","modification_prompt":"tiny"}""")]
    public async Task Iterate_rejects_garbage_with_422(string body)
    {
        await using var host = await DemoHost.StartAsync();
        var bearer = await DemoTestClient.LoginAsync(host);

        using var response = await host.Client.SendAsync(DemoHost.PostJson($"{Codegen}/generations/iterate", body, bearer));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(JsonValueKind.Array, (await DemoTestClient.JsonAsync(response)).GetProperty("detail").ValueKind);
    }

    [Fact]
    public async Task Iteration_streams_growing_markdown_and_stream_tokens_are_single_use()
    {
        await using var host = await DemoHost.StartAsync(outcome: "warning");
        var bearer = await DemoTestClient.LoginAsync(host);
        var id = await DemoTestClient.IterateAsync(host, bearer, "Add pagination to the orders endpoint");
        var token = await DemoTestClient.StreamTokenAsync(host, bearer, id);

        var events = await DemoTestClient.ReadAllAsync(host, DemoTestClient.StreamPath(id, token));

        Assert.Equal("connected", DemoTestClient.Field(events[0], "stage"));
        var outputs = events.Select(e => JsonDocument.Parse(e).RootElement.GetProperty("partial_output"))
            .Where(p => p.ValueKind == JsonValueKind.String).Select(p => p.GetString()!).ToList();
        Assert.True(outputs.Count > 2);
        Assert.True(outputs.Zip(outputs.Skip(1)).All(pair => pair.Second.StartsWith(pair.First, StringComparison.Ordinal)));
        Assert.True(outputs[^1].Length > outputs[0].Length);
        var final = outputs[^1];
        Assert.Contains("Add pagination to the orders endpoint", final, StringComparison.Ordinal);
        Assert.Contains("\n## ", "\n" + final, StringComparison.Ordinal);
        Assert.Contains("\n1. ", final, StringComparison.Ordinal);
        Assert.Contains("|---|", final, StringComparison.Ordinal);
        Assert.Contains("```", final, StringComparison.Ordinal);
        Assert.Contains(events, e => DemoTestClient.Field(e, "stage") == "validation" && DemoTestClient.Field(e, "status") == "warning");
        Assert.Equal("iteration_complete", DemoTestClient.Field(events[^1], "stage"));

        using var reused = await host.Client.GetAsync(DemoTestClient.StreamPath(id, token));
        Assert.Equal(HttpStatusCode.Forbidden, reused.StatusCode);
        using var unknown = await host.Client.GetAsync(DemoTestClient.StreamPath(id, "forged-token"));
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        using var afterEnd = await DemoTestClient.RequestStreamTokenAsync(host, bearer, id);
        Assert.Equal(HttpStatusCode.BadRequest, afterEnd.StatusCode);

        using var status = await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"{Codegen}/generations/{id}")
        {
            Headers = { Authorization = new("Bearer", bearer) },
        });
        var body = await DemoTestClient.JsonAsync(status);
        Assert.Equal("completed", body.GetProperty("status").GetString());
        Assert.Equal(final, body.GetProperty("partial_output").GetString());
    }

    [Fact]
    public async Task The_answer_fits_the_prompt_and_its_file_table_agrees_with_the_final_count()
    {
        await using var host = await DemoHost.StartAsync(outcome: "complete");
        var bearer = await DemoTestClient.LoginAsync(host);
        var id = await DemoTestClient.IterateAsync(host, bearer, "Add a due date to todos in the FastAPI app");
        var token = await DemoTestClient.StreamTokenAsync(host, bearer, id);

        var events = await DemoTestClient.ReadAllAsync(host, DemoTestClient.StreamPath(id, token));

        var last = JsonDocument.Parse(events[^1]).RootElement;
        var final = last.GetProperty("partial_output").GetString()!;
        var total = int.Parse(System.Text.RegularExpressions.Regex.Match(last.GetProperty("message").GetString()!, @"(\d+) total files").Groups[1].Value,
            System.Globalization.CultureInfo.InvariantCulture);
        var listed = System.Text.RegularExpressions.Regex.Count(final, @"^\| `", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.True(listed == total || final.Contains($"_{listed} of {total} files shown._", StringComparison.Ordinal), final);
        Assert.Contains("```python", final, StringComparison.Ordinal);
        Assert.Contains("due_date", final, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_token_belongs_to_its_generation()
    {
        await using var host = await DemoHost.StartAsync(timeScale: 1);
        var bearer = await DemoTestClient.LoginAsync(host);
        var first = await DemoTestClient.IterateAsync(host, bearer, "Add a health endpoint to the API");
        var second = await DemoTestClient.IterateAsync(host, bearer, "Add a version endpoint to the API");
        var token = await DemoTestClient.StreamTokenAsync(host, bearer, first);

        using var response = await host.Client.GetAsync(DemoTestClient.StreamPath(second, token));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Cancel_ends_the_stream_with_status_cancelled()
    {
        await using var host = await DemoHost.StartAsync(timeScale: 1, outcome: "complete");
        var bearer = await DemoTestClient.LoginAsync(host);
        var id = await DemoTestClient.IterateAsync(host, bearer, "Refactor the payment service");
        var token = await DemoTestClient.StreamTokenAsync(host, bearer, id);

        var events = new List<string>();
        await foreach (var data in host.ReadEventsAsync(DemoHost.Get(DemoTestClient.StreamPath(id, token))))
        {
            events.Add(data);
            if (events.Count == 1)
            {
                using var cancel = await host.Client.SendAsync(DemoHost.PostJson($"{Codegen}/generations/{id}/cancel", "", bearer));
                Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
                Assert.Equal("cancelled", (await DemoTestClient.JsonAsync(cancel)).GetProperty("status").GetString());
            }
        }

        Assert.Equal("cancelled", DemoTestClient.Field(events[^1], "status"));
        using var again = await host.Client.SendAsync(DemoHost.PostJson($"{Codegen}/generations/{id}/cancel", "", bearer));
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
    }

    [Fact]
    public async Task A_dropped_stream_resumes_with_a_fresh_token_and_the_generation_completes()
    {
        await using var host = await DemoHost.StartAsync(timeScale: 0.2, outcome: "drop");
        var bearer = await DemoTestClient.LoginAsync(host);
        var id = await DemoTestClient.IterateAsync(host, bearer, "Add rate limiting to the login route");
        var token = await DemoTestClient.StreamTokenAsync(host, bearer, id);

        var before = new List<string>();
        var cut = await Record.ExceptionAsync(async () =>
        {
            await foreach (var data in host.ReadEventsAsync(DemoHost.Get(DemoTestClient.StreamPath(id, token))))
            {
                before.Add(data);
            }
        });

        Assert.True(cut is IOException || cut?.InnerException is IOException, $"expected a cut connection, got {cut}");
        Assert.DoesNotContain(before, e => DemoTestClient.Field(e, "stage") == "iteration_complete");
        Assert.Contains(before, e => DemoTestClient.Field(e, "partial_output").Length > 0 && DemoTestClient.Field(e, "partial_output") != "null");

        var fresh = await DemoTestClient.StreamTokenAsync(host, bearer, id);
        var after = await DemoTestClient.ReadAllAsync(host, DemoTestClient.StreamPath(id, fresh));

        Assert.Equal("connected", DemoTestClient.Field(after[0], "stage"));
        Assert.Contains(before[^1], after);
        Assert.True(after.Count - 1 <= Dashboard.Demo.Codegen.DemoGeneration.KeptEvents);
        Assert.Equal("iteration_complete", DemoTestClient.Field(after[^1], "stage"));
    }

    [Fact]
    public async Task A_phased_generation_reports_completed_before_the_final_complete()
    {
        await using var host = await DemoHost.StartAsync(outcome: "complete");
        var bearer = await DemoTestClient.LoginAsync(host);
        using var started = await host.Client.SendAsync(DemoHost.PostJson($"{Codegen}/generations/generate",
            """{"prompt":"Build a bookmarks API with tags","context":{},"constraints":[],"is_iteration":false,"generation_mode":"enhanced"}""", bearer));
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var id = (await DemoTestClient.JsonAsync(started)).GetProperty("generation_id").GetString()!;
        var token = await DemoTestClient.StreamTokenAsync(host, bearer, id);

        var events = await DemoTestClient.ReadAllAsync(host, DemoTestClient.StreamPath(id, token));
        var stages = events.Select(e => DemoTestClient.Field(e, "stage")).ToList();

        Assert.Equal(["connected", "initializing", "phased_generation_started"], stages.Take(3));
        var phased = stages.IndexOf("phased_generation_complete");
        Assert.Equal("completed", DemoTestClient.Field(events[phased], "status"));
        Assert.Equal("complete", stages[^1]);
        Assert.Equal(phased + 1, stages.Count - 1);
        Assert.Contains("Build a bookmarks API with tags", DemoTestClient.Field(events[^1], "partial_output"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_output()
    {
        async Task<string> FinalOutputAsync(int seed)
        {
            await using var host = await DemoHost.StartAsync(seed: seed, outcome: "complete");
            var bearer = await DemoTestClient.LoginAsync(host);
            var id = await DemoTestClient.IterateAsync(host, bearer, "Add an audit log table");
            var token = await DemoTestClient.StreamTokenAsync(host, bearer, id);
            var events = await DemoTestClient.ReadAllAsync(host, DemoTestClient.StreamPath(id, token));
            return DemoTestClient.Field(events[^1], "partial_output") + DemoTestClient.Field(events[^1], "message");
        }

        var first = await FinalOutputAsync(11);
        Assert.Equal(first, await FinalOutputAsync(11));
        Assert.NotEqual(first, await FinalOutputAsync(12));
    }
}
