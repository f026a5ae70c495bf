using Dashboard.Domain;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Dashboard.Backends.Llm;
using Dashboard.Configuration;
using Dashboard.Ingest;
using Dashboard.Security;

namespace Dashboard.Backends.OpenAiChat;

/// <summary><c>POST {BaseUrl}/chat/completions</c> with <c>stream</c> and <c>stream_options.include_usage</c>.</summary>
public sealed class OpenAiChatClient(BackendOptions options, ISseStreamRunner runner)
    : LlmBackendClient(options, runner)
{
    private static readonly IReadOnlyList<RunOptionField> Fields = [LlmRunOptions.Temperature(2), LlmRunOptions.MaxTokens("max_tokens")];

    public override IReadOnlyList<RunOptionField> RunOptions => Fields;

    protected override string Path => "chat/completions";

    protected override string BaseUrl => LlmKindOptions.BaseUrlOf(Options, OpenAiChatKind.DefaultBaseUrl);

    protected override LlmDecoder CreateDecoder() => new OpenAiChatDecoder();

    protected override JsonObject CreateBody(RunRequest request)
    {
        var body = new JsonObject
        {
            ["model"] = Options.Model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = request.Prompt }),
            ["stream"] = true,
            ["stream_options"] = new JsonObject { ["include_usage"] = true },
        };
        LlmRunOptions.AddTo(body, request, Fields);
        return body;
    }

    protected override void AddAuthentication(HttpRequestHeaders headers)
    {
        if (!string.IsNullOrEmpty(Options.ApiKey))
        {
            headers.Authorization = new AuthenticationHeaderValue("Bearer", Options.ApiKey);
        }
    }
}
