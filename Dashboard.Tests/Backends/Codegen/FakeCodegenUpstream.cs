using System.Collections.Concurrent;
using Dashboard.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Dashboard.Tests.Backends.Codegen;

/// <summary>
/// The code-generation backend as the tests need it, in raw JSON strings: login, bearer checks,
/// single-use stream tokens, a scripted progress stream (replaying history to each new
/// connection, as the real server keeps its last events), status and cancel endpoints.
/// </summary>
internal sealed class FakeCodegenUpstream
{
    public const string User = "alice";
    public const string Password = "correct-horse-battery";
    public const string GenerationId = "gen-7f3a";

    private readonly ConcurrentDictionary<string, bool> _accessTokens = new();
    private readonly ConcurrentDictionary<string, bool> _streamTokens = new();
    private readonly ConcurrentQueue<string> _log = new();
    private int _issued;
    private int _streamConnections;
    private int _sent;

    /// <summary>Progress events (JSON) of the generation, in order.</summary>
    public List<string> Script { get; } = [];

    /// <summary>The first connection is cut after this many events (-1: never).</summary>
    public int DropFirstConnectionAfter { get; set; } = -1;

    /// <summary>Awaited before event i of the script is sent (a test paces the stream with it); null: no pause.</summary>
    public Func<int, Task>? BeforeEvent { get; set; }

    /// <summary>After the script, keep the connection open (instead of closing it).</summary>
    public bool HoldOpenAfterScript { get; set; }

    /// <summary>Answers of GET /generations/{id} (status values), the last one repeating.</summary>
    public List<string> StatusAnswers { get; } = ["completed"];

    /// <summary>Generate answers 401 once (an expired access token).</summary>
    public bool ExpireTokenOnGenerate { get; set; }

    /// <summary>Generate refuses with this 422 body.</summary>
    public string? Reject422 { get; set; }

    public TaskCompletionSource CancelReceived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource StreamOpened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<string> Log => [.. _log];

    public List<string> StreamTokensUsed { get; } = [];

    public string? LastStartBody { get; private set; }

    public static string Event(string stage, string status, double progress, string message, string? partialOutput = null) =>
        $$"""{"generation_id":"{{GenerationId}}","status":"{{status}}","stage":"{{stage}}","progress":{{progress.ToString(System.Globalization.CultureInfo.InvariantCulture)}},"message":"{{message}}","ab_group":null,"enhanced_features":null,"generation_mode":"classic","estimated_time_remaining":null,"current_file":null,"partial_output":{{(partialOutput is null ? "null" : "\"" + partialOutput + "\"")}},"timestamp":1737030904.{{progress.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)[2..]}}}""";

    public void Map(WebApplication app)
    {
        app.MapPost("/auth/login", async context =>
        {
            var form = await context.Request.ReadFormAsync();
            _log.Enqueue("login");
            if (form["username"] != User || form["password"] != Password)
            {
                await LoopbackUpstream.JsonAsync(context, 401, """{"detail":"Incorrect username or password"}""");
                return;
            }

            var token = $"access-{Interlocked.Increment(ref _issued)}-xyz";
            _accessTokens[token] = true;
            await LoopbackUpstream.JsonAsync(context, 200, $$"""{"access_token":"{{token}}","token_type":"bearer"}""");
        });

        app.MapPost("/generations/generate", context => StartAsync(context, "generate"));
        app.MapPost("/generations/iterate", context => StartAsync(context, "iterate"));

        app.MapPost("/generations/generate/{id}/stream-token", async context =>
        {
            if (!await AuthorizedAsync(context))
            {
                return;
            }

            _log.Enqueue("stream-token");
            if (_sent >= Script.Count && !HoldOpenAfterScript)
            {
                await LoopbackUpstream.JsonAsync(context, 400, """{"detail":"Generation already completed"}""");
                return;
            }

            var token = $"sse-{Guid.NewGuid():N}";
            _streamTokens[token] = true;
            await LoopbackUpstream.JsonAsync(context, 200,
                $$"""{"sse_token":"{{token}}","expires_in":60,"stream_url":"/generations/generate/{{GenerationId}}/stream?token={{token}}","generation_id":"{{GenerationId}}"}""");
        });

        app.MapGet("/generations/generate/{id}/stream", async context =>
        {
            var token = context.Request.Query["token"].ToString();
            lock (StreamTokensUsed)
            {
                StreamTokensUsed.Add(token);
            }

            // Single use: the first GET consumes it.
            if (!_streamTokens.TryRemove(token, out _))
            {
                await LoopbackUpstream.JsonAsync(context, 403, """{"detail":"Invalid or expired stream token"}""");
                return;
            }

            var connection = Interlocked.Increment(ref _streamConnections);
            _log.Enqueue("stream");
            LoopbackUpstream.StartEventStream(context);
            StreamOpened.TrySetResult();
            for (var i = 0; i < Script.Count; i++)
            {
                if (connection == 1 && i == DropFirstConnectionAfter)
                {
                    context.Abort();
                    return;
                }

                if (BeforeEvent is { } pause)
                {
                    await pause(i);
                }

                // Concatenated, not interpolated: an interpolated megabyte event rents char arrays
                // that the shared pool keeps, and tests measuring memory count this process.
                await LoopbackUpstream.WriteAsync(context, "data: " + Script[i] + "\n\n");
                _sent = Math.Max(_sent, i + 1);
            }

            if (HoldOpenAfterScript)
            {
                await LoopbackUpstream.HoldOpenAsync(context);
            }
        });

        app.MapGet("/generations/{id}", async context =>
        {
            if (!await AuthorizedAsync(context))
            {
                return;
            }

            _log.Enqueue("status");
            string status;
            lock (StatusAnswers)
            {
                status = StatusAnswers[0];
                if (StatusAnswers.Count > 1)
                {
                    StatusAnswers.RemoveAt(0);
                }
            }

            var error = status == "failed" ? "\"LLM refused the prompt\"" : "null";
            await LoopbackUpstream.JsonAsync(context, 200, $$"""{"generation_id":"{{GenerationId}}","status":"{{status}}","error_message":{{error}},"output_files":[]}""");
        });

        app.MapPost("/generations/{id}/cancel", async context =>
        {
            if (!await AuthorizedAsync(context))
            {
                return;
            }

            _log.Enqueue("cancel " + context.Request.RouteValues["id"]);
            CancelReceived.TrySetResult();
            await LoopbackUpstream.JsonAsync(context, 200, """{"message":"Generation cancelled"}""");
        });
    }

    private async Task StartAsync(HttpContext context, string what)
    {
        if (!await AuthorizedAsync(context))
        {
            return;
        }

        if (ExpireTokenOnGenerate)
        {
            ExpireTokenOnGenerate = false;
            _accessTokens.Clear();
            _log.Enqueue(what + " 401");
            await LoopbackUpstream.JsonAsync(context, 401, """{"detail":"Token has expired"}""");
            return;
        }

        LastStartBody = await new StreamReader(context.Request.Body).ReadToEndAsync();
        _log.Enqueue(what);
        if (Reject422 is { } body)
        {
            await LoopbackUpstream.JsonAsync(context, 422, body);
            return;
        }

        await LoopbackUpstream.JsonAsync(context, 201, $$"""{"generation_id":"{{GenerationId}}","status":"pending","prompt":"...","created_at":"2025-01-16T12:00:00"}""");
    }

    private async Task<bool> AuthorizedAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.Ordinal) && _accessTokens.ContainsKey(header["Bearer ".Length..]))
        {
            return true;
        }

        await LoopbackUpstream.JsonAsync(context, 401, """{"detail":"Could not validate credentials"}""");
        return false;
    }
}
