using Dashboard.Domain;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Dashboard.Backends.Llm;
using Dashboard.Backends.OpenAiChat;
using Dashboard.Configuration;
using Dashboard.Ingest;
using Dashboard.Security;

namespace Dashboard.Backends.OpenAiResponses;

/// <summary><c>POST {BaseUrl}/responses</c> with <c>{model, input, stream: true}</c>.</summary>
public sealed class OpenAiResponsesClient(BackendOptions options, ISseStreamRunner runner)
    : LlmBackendClient(options, runner)
{
    private static readonly IReadOnlyList<RunOptionField> Fields = [LlmRunOptions.Temperature(2), LlmRunOptions.MaxTokens("max_output_tokens")];

    public override IReadOnlyList<RunOptionField> RunOptions => Fields;

    protected override string Path => "responses";

    protected override string BaseUrl => LlmKindOptions.BaseUrlOf(Options, OpenAiChatKind.DefaultBaseUrl);

    protected override LlmDecoder CreateDecoder() => new OpenAiResponsesDecoder();

    protected override JsonObject CreateBody(RunRequest request)
    {
        var body = new JsonObject
        {
            ["model"] = Options.Model,
            ["input"] = request.Prompt,
            ["stream"] = true,
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
