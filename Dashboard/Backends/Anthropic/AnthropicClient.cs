using Dashboard.Domain;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Dashboard.Backends.Llm;
using Dashboard.Configuration;
using Dashboard.Ingest;
using Dashboard.Security;

namespace Dashboard.Backends.Anthropic;

/// <summary>
/// <c>POST {BaseUrl}/v1/messages</c> with <c>x-api-key</c>, the required <c>anthropic-version</c>
/// header and the required <c>max_tokens</c> (configured, or the form's value).
/// </summary>
public sealed class AnthropicClient(BackendOptions options, ISseStreamRunner runner)
    : LlmBackendClient(options, runner)
{
    public const string ApiVersion = "2023-06-01";

    private readonly IReadOnlyList<RunOptionField> _fields =
    [
        LlmRunOptions.Temperature(1),
        LlmRunOptions.MaxTokens("max_tokens", options.MaxTokens.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];

    public override IReadOnlyList<RunOptionField> RunOptions => _fields;

    protected override string Path => "v1/messages";

    protected override string BaseUrl => LlmKindOptions.BaseUrlOf(Options, AnthropicKind.DefaultBaseUrl);

    protected override LlmDecoder CreateDecoder() => new AnthropicDecoder();

    protected override JsonObject CreateBody(RunRequest request)
    {
        var body = new JsonObject
        {
            ["model"] = Options.Model,
            ["max_tokens"] = Options.MaxTokens,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = request.Prompt }),
            ["stream"] = true,
        };
        LlmRunOptions.AddTo(body, request, _fields);
        return body;
    }

    protected override void AddAuthentication(HttpRequestHeaders headers)
    {
        headers.TryAddWithoutValidation("x-api-key", Options.ApiKey);
        headers.TryAddWithoutValidation("anthropic-version", ApiVersion);
    }
}
