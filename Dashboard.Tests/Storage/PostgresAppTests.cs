using System.Net;
using System.Text.Json;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Hosting;
using Dashboard.Storage;
using Dashboard.Testing;
using Dashboard.Tests.Runs;
using Dashboard.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Storage;

/// <summary>The real app on <c>Dashboard:Storage:Provider=postgres</c>, restarted on the same database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresAppTests(PostgresServer server)
{
    private const string Password = "pg-secret-31c9a";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Runs_are_kept_in_postgres_and_read_identically_and_found_by_search_after_a_restart()
    {
        var database = await server.CreateDatabaseAsync();
        var ended = new Dictionary<string, string>();
        await using (var first = Server(database))
        {
            using var client = first.CreateApiClient();
            var store = first.Services.GetRequiredService<IHistoryStore>();
            Assert.Equal(StorageOptions.Postgres, store.Provider);
            Assert.Contains($"History: postgres://127.0.0.1:{server.Port}/", first.ConsoleOut.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(Password, first.ConsoleOut.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(first.LogLines, l => l.Contains(Password, StringComparison.Ordinal));

            foreach (var prompt in new[] { "first giraffe", "second okapi" })
            {
                var id = await StartAsync(client, prompt);
                ended[id] = await WaitForEndAsync(client, id);
            }

            await store.FlushAsync();
        }

        await using var second = Server(database);
        using var again = second.CreateApiClient();
        foreach (var (id, json) in ended)
        {
            Assert.Equal(json, await again.GetStringAsync($"/api/runs/{id}"));
        }

        using var found = JsonDocument.Parse(await again.GetStringAsync("/api/runs?q=okapi"));
        var item = Assert.Single(found.RootElement.EnumerateArray());
        Assert.Equal("second okapi", item.GetProperty("prompt").GetString());
    }

    [Fact]
    public void Without_a_connection_string_the_start_is_refused_naming_the_key()
    {
        var error = FailedStart.Of(
            () => new TestApp(new Dictionary<string, string?> { ["Dashboard:Storage:Provider"] = "postgres" }),
            factory => factory.CreateClient());

        var lines = StartupRefusal.Describe(error);
        Assert.NotNull(lines);
        Assert.Contains(lines, l => l.StartsWith("ConnectionStrings:Dashboard is required with Dashboard:Storage:Provider=postgres", StringComparison.Ordinal));
    }

    private static TestApp Server(string connectionString) => new(new Dictionary<string, string?>
    {
        ["Dashboard:Storage:Provider"] = "postgres",
        // The test server trusts loopback and ignores the password; it must still never be shown.
        ["ConnectionStrings:Dashboard"] = connectionString + ";Password=" + Password,
        ["Dashboard:Backends:0:Name"] = "alpha",
        ["Dashboard:Backends:0:Kind"] = "test-runs",
    })
    {
        Kinds =
        [
            new TestBackendKind("test-runs")
            {
                Run = (run, _) =>
                {
                    run.AssignUpstreamId("up-" + run.RunId);
                    run.Stage("generating", StageStatus.Running, "halfway", 0.5);
                    run.Sink.Publish(new RunTextReceived { Backend = run.Backend, At = run.Clock.GetUtcNow(), RunId = run.RunId, Text = "About " });
                    run.Sink.Publish(new RunTextReceived { Backend = run.Backend, At = run.Clock.GetUtcNow(), RunId = run.RunId, Text = run.Request.Prompt });
                    run.Sink.Publish(new RunUsageReported { Backend = run.Backend, At = run.Clock.GetUtcNow(), RunId = run.RunId, Usage = new Usage(3, 5, 8) });
                    run.Stage("generating", StageStatus.Completed, "done", 1);
                    run.End(RunStatus.Completed);
                    return Task.CompletedTask;
                },
            },
        ],
    };

    private static async Task<string> StartAsync(HttpClient client, string prompt)
    {
        using var body = new StringContent(JsonSerializer.Serialize(new { backend = "alpha", prompt }), System.Text.Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/api/runs", body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<string> WaitForEndAsync(HttpClient client, string id)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            var json = await client.GetStringAsync($"/api/runs/{id}", deadline.Token);
            using var run = JsonDocument.Parse(json);
            if (run.RootElement.GetProperty("status").GetString() is "completed" or "failed")
            {
                return json;
            }

            // Polling the API as a script would.
            await Task.Yield();
        }
    }
}
