using System.Text;
using System.Text.Json;

namespace Dashboard.Demo.OpenAi;

/// <summary>
/// The demo OpenAI-compatible server: <c>POST /chat/completions</c>, streaming only, text at
/// 20–80 tokens/s with jitter. Outcomes: warning ends with <c>finish_reason: "length"</c>, fail
/// sends a mid-stream error, drop cuts the connection.
/// </summary>
public static class OpenAiEndpoints
{
    public static void Map(IEndpointRouteBuilder group)
    {
        group.MapPost("/chat/completions", CompleteAsync);
    }

    private static async Task CompleteAsync(HttpContext context, DemoRuntime runtime, DemoCredentials credentials)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            || !DemoCredentials.SameSecret(header["Bearer ".Length..].Trim(), credentials.ApiKey))
        {
            var message = header.Length == 0
                ? "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
                : "Incorrect API key provided.";
            await Fail(context, StatusCodes.Status401Unauthorized, message, null, "invalid_api_key");
            return;
        }

        var body = await DemoRequestBody.ReadAsync(context.Request, allowEmpty: false, context.RequestAborted);
        if (body.Error is not null)
        {
            await Fail(context, StatusCodes.Status400BadRequest, "We could not parse the JSON body of your request.", null, null);
            return;
        }

        var root = body.Root;
        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String || model.GetString()!.Length == 0)
        {
            await Fail(context, StatusCodes.Status400BadRequest, "You must provide a model parameter.", "model", null);
            return;
        }

        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
        {
            await Fail(context, StatusCodes.Status400BadRequest, "'messages' must be a non-empty array.", "messages", null);
            return;
        }

        if (!root.TryGetProperty("stream", out var stream) || stream.ValueKind != JsonValueKind.True)
        {
            await Fail(context, StatusCodes.Status400BadRequest, "This demo server only streams: set 'stream' to true.", "stream", null);
            return;
        }

        var includeUsage = root.TryGetProperty("stream_options", out var options) && options.ValueKind == JsonValueKind.Object
            && options.TryGetProperty("include_usage", out var usage) && usage.ValueKind == JsonValueKind.True;

        var random = runtime.NextRandom(stream: 4);
        await StreamAsync(context, runtime, random, model.GetString()!, messages, includeUsage);
    }

    private static async Task StreamAsync(
        HttpContext context, DemoRuntime runtime, Random random, string model, JsonElement messages, bool includeUsage)
    {
        var outcome = DemoOutcomes.Pick(runtime.ForcedOutcome, random);
        var tokens = DemoMarkdown.Tokenize(DemoMarkdown.Compose(LastUserText(messages), random));
        var stopAt = outcome switch
        {
            DemoOutcome.Warning => tokens.Count * 7 / 10,
            DemoOutcome.Fail or DemoOutcome.Drop => random.Next(tokens.Count / 5, tokens.Count / 2),
            _ => tokens.Count,
        };
        var chunks = new ChatChunkJson("chatcmpl-" + RandomId(random), runtime.Time.GetUtcNow().ToUnixTimeSeconds(), model, includeUsage);
        var tokensPerSecond = 20 + random.NextDouble() * 60;
        using var stream = runtime.Follow(context.RequestAborted);
        var aborted = stream.Token;
        try
        {
            await DemoSse.StartAsync(context.Response, aborted);
            await DemoSse.WriteDataAsync(context.Response, chunks.Role(), aborted);
            var pending = 0.0;
            for (var i = 0; i < stopAt; i++)
            {
                // Waits are gathered until worth a timer tick, so a tiny time scale stays fast and accurate.
                pending += (0.5 + random.NextDouble()) / tokensPerSecond;
                if (runtime.Scale(TimeSpan.FromSeconds(pending)) >= TimeSpan.FromMilliseconds(15))
                {
                    await runtime.DelaySecondsAsync(pending, aborted);
                    pending = 0;
                }

                await DemoSse.WriteDataAsync(context.Response, chunks.Content(tokens[i]), aborted);
            }

            switch (outcome)
            {
                case DemoOutcome.Fail:
                    await DemoSse.WriteDataAsync(context.Response, ChatChunkJson.Error(
                        "The server had an error while processing your request. Sorry about that!", "server_error", null, null), aborted);
                    return;
                case DemoOutcome.Drop:
                    // A stall, then the cut: aborting at once can discard what was written but not yet
                    // sent, and the reader would see the connection die before any of the answer.
                    await runtime.DelaySecondsAsync(pending + 2, aborted);
                    context.Abort();
                    return;
            }

            await DemoSse.WriteDataAsync(context.Response, chunks.Finish(outcome == DemoOutcome.Warning ? "length" : "stop"), aborted);
            if (includeUsage)
            {
                await DemoSse.WriteDataAsync(context.Response, chunks.Usage(PromptTokens(messages), stopAt), aborted);
            }

            await DemoSse.WriteDataAsync(context.Response, "[DONE]", aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away mid-answer, or the app is stopping.
        }
    }

    private static Task Fail(HttpContext context, int status, string message, string? param, string? code) =>
        DemoSse.Json(ChatChunkJson.Error(message, "invalid_request_error", param, code), status).ExecuteAsync(context);

    private static string LastUserText(JsonElement messages)
    {
        var text = "";
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind == JsonValueKind.Object
                && message.TryGetProperty("role", out var role) && role.ValueKind == JsonValueKind.String && role.GetString() == "user"
                && message.TryGetProperty("content", out var content))
            {
                text = ContentText(content);
            }
        }

        return text.Length > 0 ? text : "your request";
    }

    /// <summary>A message's content: a string, or an array of parts whose <c>text</c> parts are joined.</summary>
    private static string ContentText(JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString()!;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return "";
        }

        var text = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var value) && value.ValueKind == JsonValueKind.String)
            {
                text.Append(value.GetString());
            }
        }

        return text.ToString();
    }

    private static int PromptTokens(JsonElement messages)
    {
        var count = 0;
        foreach (var message in messages.EnumerateArray())
        {
            count += 4;
            if (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("content", out var content))
            {
                count += DemoMarkdown.Tokenize(ContentText(content)).Count;
            }
        }

        return count;
    }

    private static string RandomId(Random random)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return string.Create(24, random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[r.Next(alphabet.Length)];
            }
        });
    }
}
