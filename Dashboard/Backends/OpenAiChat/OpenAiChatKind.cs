using Dashboard.Domain;
using Dashboard.Backends.Llm;
using Dashboard.Configuration;
using Dashboard.Ingest;
using Dashboard.Security;

namespace Dashboard.Backends.OpenAiChat;

/// <summary>OpenAI Chat Completions, and every server that speaks it (vLLM, llama.cpp, Ollama at …/v1).</summary>
public sealed class OpenAiChatKind : IBackendKind
{
    public const string Name = "openai-chat";

    /// <summary>What the OpenAI SDK uses when no base URL is given.</summary>
    public const string DefaultBaseUrl = "https://api.openai.com/v1";

    public string Kind => Name;

    public BackendCapabilities Capabilities => BackendCapabilities.Runs;

    public IEnumerable<string> ValidateOptions(BackendOptions options, string keyPrefix) =>
        LlmKindOptions.Validate(options, keyPrefix, Name, DefaultBaseUrl, requireApiKey: true, requireModel: true);

    public IBackendClient CreateClient(BackendOptions options, IServiceProvider services) =>
        new OpenAiChatClient(options, services.GetRequiredService<ISseStreamRunner>(), services.GetRequiredService<SecretRedactor>());
}
