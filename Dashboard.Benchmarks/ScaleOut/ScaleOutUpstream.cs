using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Dashboard.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Dashboard.Benchmarks.ScaleOut;

/// <summary>
/// A loopback code-generation upstream for the scale-out harnesses: login, generate (a new
/// generation id per run), a fresh stream token per connection, and a progress stream that opens
/// with stage "connected" and then sends the steps a harness asks for (the harness stamps each as
/// it hands it over); it stays open until the replica reading it goes away (killed, or the run cancelled).
/// </summary>
public sealed class ScaleOutUpstream : IAsyncDisposable
{
    public const string User = "bench";
    public const string Password = "bench-password-0123456789";

    private readonly ConcurrentDictionary<string, Generation> _generations = new(StringComparer.Ordinal);
    private int _issued;
    private LoopbackUpstream? _server;

    public string BaseUrl => _server?.BaseUrl ?? throw new InvalidOperationException("Not started.");

    public static async Task<ScaleOutUpstream> StartAsync()
    {
        var upstream = new ScaleOutUpstream();
        upstream._server = await LoopbackUpstream.StartAsync(upstream.Map);
        return upstream;
    }

    /// <summary>The backend settings of a replica reading this upstream as <paramref name="name"/>.</summary>
    public Dictionary<string, string?> Backend(string name) => new()
    {
        ["Dashboard:Backends:0:Name"] = name,
        ["Dashboard:Backends:0:Kind"] = "codegen",
        ["Dashboard:Backends:0:BaseUrl"] = BaseUrl,
        ["Dashboard:Backends:0:Username"] = User,
        ["Dashboard:Backends:0:Password"] = Password,
    };

    public Generation Of(string generationId) => _generations.GetOrAdd(generationId, id => new Generation(id));

    private void Map(WebApplication app)
    {
        app.MapPost("/auth/login", async context =>
        {
            var form = await context.Request.ReadFormAsync();
            var ok = form["username"] == User && form["password"] == Password;
            await LoopbackUpstream.JsonAsync(context, ok ? 200 : 401, ok
                ? """{"access_token":"bench-access-token-0123456789","token_type":"bearer"}"""
                : """{"detail":"Incorrect username or password"}""");
        });

        app.MapPost("/generations/generate", async context =>
        {
            var id = "gen-" + Interlocked.Increment(ref _issued).ToString(CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
            _ = Of(id);
            await LoopbackUpstream.JsonAsync(context, 201, $$"""{"generation_id":"{{id}}","status":"pending","prompt":"...","created_at":"2026-11-28T00:00:00"}""");
        });

        app.MapPost("/generations/generate/{id}/stream-token", async context =>
        {
            var id = (string)context.Request.RouteValues["id"]!;
            var token = "sse-" + Guid.NewGuid().ToString("N");
            await LoopbackUpstream.JsonAsync(context, 200,
                $$"""{"sse_token":"{{token}}","expires_in":60,"stream_url":"/generations/generate/{{id}}/stream?token={{token}}","generation_id":"{{id}}"}""");
        });

        app.MapGet("/generations/generate/{id}/stream", async context =>
        {
            var generation = Of((string)context.Request.RouteValues["id"]!);
            await LoopbackUpstream.BeginStreamAsync(context);
            await LoopbackUpstream.WriteAsync(context, "data: " + Event(generation.Id, "connected", 0, "Connected", null, 0) + "\n\n");
            generation.Opened();
            try
            {
                await foreach (var step in generation.Steps.Reader.ReadAllAsync(context.RequestAborted))
                {
                    await LoopbackUpstream.WriteAsync(context, "data: " + Event(generation.Id, "code_generation", 0.5, "step " + step, "p" + step, step + 1) + "\n\n");
                }
            }
            catch (OperationCanceledException)
            {
                // The replica reading it went away.
            }
        });

        app.MapGet("/generations/{id}", context =>
            LoopbackUpstream.JsonAsync(context, 200, $$"""{"generation_id":"{{context.Request.RouteValues["id"]}}","status":"processing","error_message":null,"output_files":[]}"""));

        app.MapPost("/generations/{id}/cancel", context => LoopbackUpstream.JsonAsync(context, 200, """{"message":"Generation cancelled"}"""));
    }

    private static string Event(string id, string stage, double progress, string message, string? partial, int timestamp) =>
        $$"""{"generation_id":"{{id}}","status":"processing","stage":"{{stage}}","progress":{{progress.ToString(CultureInfo.InvariantCulture)}},"message":"{{message}}","partial_output":{{(partial is null ? "null" : "\"" + partial + "\"")}},"timestamp":{{timestamp.ToString(CultureInfo.InvariantCulture)}}}""";

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>One generation: the steps still to send (to whichever connection reads it) and when each was sent.</summary>
    public sealed class Generation(string id)
    {
        private readonly Channel<int> _connections = Channel.CreateUnbounded<int>();
        private int _opened;

        public string Id { get; } = id;

        public Channel<int> Steps { get; } = Channel.CreateUnbounded<int>();

        /// <summary>Stopwatch timestamp at which the harness handed step i to the stream.</summary>
        public ConcurrentDictionary<int, long> Sent { get; } = new();

        internal void Opened() => _connections.Writer.TryWrite(Interlocked.Increment(ref _opened));

        /// <summary>Waits for the next stream connection; returns its number (1 for the first).</summary>
        public async Task<int> NextConnectionAsync(TimeSpan timeout) => await _connections.Reader.ReadAsync().AsTask().WaitAsync(timeout);
    }
}
