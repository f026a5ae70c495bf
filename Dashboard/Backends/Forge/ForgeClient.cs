using Dashboard.Domain;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Dashboard.Backends.Llm;
using Dashboard.Configuration;
using Dashboard.Ingest;
using Dashboard.Security;

namespace Dashboard.Backends.Forge;

/// <summary><c>POST {BaseUrl}/v1/responses</c> with <c>{model?, input, stream: true}</c>; Bearer when a key is configured.</summary>
public sealed class ForgeClient(BackendOptions options, ISseStreamRunner runner)
    : LlmBackendClient(options, runner)
{
    private static readonly IReadOnlyList<RunOptionField> Fields = [LlmRunOptions.Temperature(2), LlmRunOptions.MaxTokens("max_output_tokens")];

    public override IReadOnlyList<RunOptionField> RunOptions => Fields;

    protected override string Path => "v1/responses";

    protected override string BaseUrl => LlmKindOptions.BaseUrlOf(Options, null);

    protected override LlmDecoder CreateDecoder() => new ForgeDecoder();

    protected override JsonObject CreateBody(RunRequest request)
    {
        var body = new JsonObject();
        if (!string.IsNullOrWhiteSpace(Options.Model))
        {
            body["model"] = Options.Model;
        }

        body["input"] = request.Prompt;
        body["stream"] = true;
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
