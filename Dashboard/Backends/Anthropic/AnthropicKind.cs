using Dashboard.Domain;
using Dashboard.Backends.Llm;
using Dashboard.Configuration;
using Dashboard.Ingest;
using Dashboard.Security;

namespace Dashboard.Backends.Anthropic;

/// <summary>Anthropic Messages API.</summary>
public sealed class AnthropicKind : IBackendKind
{
    public const string Name = "anthropic";

    /// <summary>What the Anthropic SDK uses when no base URL is given.</summary>
    public const string DefaultBaseUrl = "https://api.anthropic.com";

    public string Kind => Name;

    public BackendCapabilities Capabilities => BackendCapabilities.Runs;

    public IEnumerable<string> ValidateOptions(BackendOptions options, string keyPrefix)
    {
        foreach (var problem in LlmKindOptions.Validate(options, keyPrefix, Name, DefaultBaseUrl, requireApiKey: true, requireModel: true))
        {
            yield return problem;
        }

        if (options.MaxTokens < 1)
        {
            yield return $"{keyPrefix}:MaxTokens must be at least 1 for kind {Name} (the upstream requires max_tokens).";
        }
    }

    public IBackendClient CreateClient(BackendOptions options, IServiceProvider services) =>
        new AnthropicClient(options, services.GetRequiredService<ISseStreamRunner>(), services.GetRequiredService<SecretRedactor>());
}
