using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dashboard.Benchmarks.Infrastructure;
using Dashboard.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Dashboard.Benchmarks.Markdown;

/// <summary>
/// The streaming-Markdown answer served as an OpenAI chat completions stream (one chunk per
/// 2–8-character delta of <see cref="MarkdownCorpus"/>, paced) from a <b>separate process</b>
/// (<c>markdown-upstream</c>), so the app's process pays only for what it does itself with the
/// deltas: read them from a socket, decode, publish, render. <c>POST /v1/chat/completions?kb=N&amp;rate=R[&amp;whole=1]</c>.
/// </summary>
public static class MarkdownUpstream
{
    private const string ListeningPrefix = "listening ";

    /// <summary>The child process's entry point: serves until its standard input closes.</summary>
    public static async Task<int> ServeAsync(HarnessArgs args)
    {
        await using var server = await LoopbackUpstream.StartAsync(app => app.MapPost("/v1/chat/completions", StreamAsync));
        Console.WriteLine(ListeningPrefix + server.BaseUrl);
        await Console.In.ReadToEndAsync();
        return 0;
    }

    private static async Task StreamAsync(HttpContext context)
    {
        var kb = int.Parse(context.Request.Query["kb"].ToString(), CultureInfo.InvariantCulture);
        var rate = double.Parse(context.Request.Query["rate"].ToString(), CultureInfo.InvariantCulture);
        var text = MarkdownCorpus.Build(kb);
        // The limit arm's stream: the same answer through the same decoder, in one chunk.
        IReadOnlyList<string> deltas = context.Request.Query["whole"] == "1" ? [text] : MarkdownCorpus.Deltas(text);
        await LoopbackUpstream.BeginStreamAsync(context);
        var start = Stopwatch.GetTimestamp();
        var ticksPerDelta = Stopwatch.Frequency / rate;
        for (var i = 0; i < deltas.Count; i++)
        {
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), start + (long)(i * ticksPerDelta));
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, context.RequestAborted);
            }

            await LoopbackUpstream.WriteAsync(context, Chunk(deltas[i]));
        }

        await LoopbackUpstream.WriteAsync(context, "data: {\"id\":\"chatcmpl-md\",\"object\":\"chat.completion.chunk\",\"model\":\"bench\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
    }

    private static string Chunk(string delta) => "data: " + JsonSerializer.Serialize(new
    {
        id = "chatcmpl-md",
        @object = "chat.completion.chunk",
        model = "bench",
        choices = new[] { new { index = 0, delta = new { content = delta } } },
    }) + "\n\n";

    /// <summary>Starts this benchmark program again as the upstream process and waits for its address.</summary>
    public static async Task<Child> StartProcessAsync()
    {
        // This program's own apphost beside its assembly (also when a test project references it),
        // else the dotnet host running its assembly.
        var assembly = typeof(MarkdownUpstream).Assembly.Location;
        var appHost = Path.ChangeExtension(assembly, null);
        var info = new ProcessStartInfo(File.Exists(appHost) ? appHost : "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (!File.Exists(appHost))
        {
            info.ArgumentList.Add(assembly);
        }

        info.ArgumentList.Add("markdown-upstream");
        var process = Process.Start(info) ?? throw new InvalidOperationException("the upstream process did not start");
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith(ListeningPrefix, StringComparison.Ordinal))
            {
                return new Child(process, new Uri(line[ListeningPrefix.Length..]));
            }
        }

        throw new InvalidOperationException($"the upstream process exited ({process.ExitCode}) without an address");
    }

    public sealed class Child(Process process, Uri root) : IAsyncDisposable
    {
        public int ProcessId => process.Id;

        /// <param name="whole">The whole answer in one chunk (the limit: one render of the final page).</param>
        public Uri ChatUri(int kilobytes, int rate, bool whole = false) => new(root, $"v1/chat/completions?kb={kilobytes}&rate={rate}{(whole ? "&whole=1" : "")}");

        public async ValueTask DisposeAsync()
        {
            process.StandardInput.Close();
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(exit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
        }
    }
}
