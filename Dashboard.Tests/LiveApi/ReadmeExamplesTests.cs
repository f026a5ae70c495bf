using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dashboard.Testing;

namespace Dashboard.Tests.LiveApi;

/// <summary>The README's live-API examples, run against the real app so they cannot rot.</summary>
public sealed partial class ReadmeExamplesTests(LiveApiFixture fixture) : IClassFixture<LiveApiFixture>
{
    private static string Readme => File.ReadAllText(Path.Combine(RepoRoot(), "README.md")).ReplaceLineEndings("\n");

    [Fact]
    public async Task The_CSharp_example_in_the_README_is_this_file_and_follows_a_run_to_its_end()
    {
        var source = File.ReadAllText(Path.Combine(RepoRoot(), "Dashboard.Tests", "LiveApi", "Examples", "FollowRun.cs")).ReplaceLineEndings("\n");
        Assert.Contains("```csharp\n" + source + "```\n", Readme, StringComparison.Ordinal);

        var output = new StringWriter();
        var text = await DashboardClient.FollowRun.RunAsync(fixture.BaseUri, TestApp.Token, "alpha", "say hello", output)
            .WaitAsync(LiveClients.Patience);

        Assert.Equal("Hello, world", text);
        Assert.Equal("Hello, world\n[completed]\n", output.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task The_curl_example_in_the_README_streams_the_events()
    {
        var command = CurlLine().Match(Readme);
        Assert.True(command.Success, "the README has the curl -N example");
        var line = command.Value
            .Replace("http://127.0.0.1:5102/", fixture.BaseUri.ToString(), StringComparison.Ordinal)
            .Replace("demo-codegen", "alpha", StringComparison.Ordinal);

        var start = new ProcessStartInfo("/bin/sh", ["-c", line]) { RedirectStandardOutput = true, UseShellExecute = false };
        start.Environment["TOKEN"] = TestApp.Token;
        using var curl = Process.Start(start)!;
        try
        {
            using var patience = new CancellationTokenSource(LiveClients.Patience);
            Assert.Equal("event: snapshot", await NextEventLine(curl.StandardOutput, patience.Token));

            using var started = await fixture.Http.PostAsJsonAsync("api/runs", new { backend = "alpha", prompt = "hi" });
            var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
            var seen = new List<string>();
            string? type;
            do
            {
                type = await NextEventLine(curl.StandardOutput, patience.Token);
                seen.Add(type!);
            }
            while (type != "event: run.ended");

            Assert.Contains("event: run.created", seen);
            Assert.Contains("event: run.text", seen);
            var run = await fixture.Http.GetFromJsonAsync<JsonElement>($"api/runs/{runId}");
            Assert.Equal("completed", run.GetProperty("status").GetString());
        }
        finally
        {
            curl.Kill();
            await curl.WaitForExitAsync();
        }
    }

    private static async Task<string?> NextEventLine(StreamReader reader, CancellationToken cancellationToken)
    {
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                return line;
            }
        }

        return null;
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Dashboard.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Dashboard.sln not found above the test binaries.");
    }

    [GeneratedRegex(@"^curl -N [^\n]*/api/events[^\n]*$", RegexOptions.Multiline)]
    private static partial Regex CurlLine();
}
