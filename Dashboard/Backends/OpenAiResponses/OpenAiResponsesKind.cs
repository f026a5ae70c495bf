using Dashboard.Domain;
using Dashboard.Backends.Llm;
using Dashboard.Backends.OpenAiChat;
using Dashboard.Configuration;
using Dashboard.Ingest;
using Dashboard.Security;

namespace Dashboard.Backends.OpenAiResponses;

/// <summary>OpenAI Responses API (typed stream events).</summary>
public sealed class OpenAiResponsesKind : IBackendKind
{
    public const string Name = "openai-responses";

    public string Kind => Name;

    public BackendCapabilities Capabilities => BackendCapabilities.Runs;

    public IEnumerable<string> ValidateOptions(BackendOptions options, string keyPrefix) =>
        LlmKindOptions.Validate(options, keyPrefix, Name, OpenAiChatKind.DefaultBaseUrl, requireApiKey: true, requireModel: true);

    public IBackendClient CreateClient(BackendOptions options, IServiceProvider services) =>
        new OpenAiResponsesClient(options, services.GetRequiredService<ISseStreamRunner>(), services.GetRequiredService<SecretRedactor>());
}
