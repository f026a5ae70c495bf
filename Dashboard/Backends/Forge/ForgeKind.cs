using Dashboard.Domain;
using Dashboard.Backends.Llm;
using Dashboard.Configuration;
using Dashboard.Ingest;
using Dashboard.Security;

namespace Dashboard.Backends.Forge;

/// <summary>
/// Knowledge Forge (snapshot Responses stream). The key is optional: a local Forge server runs
/// without authentication, and its model has a server-side default.
/// </summary>
public sealed class ForgeKind : IBackendKind
{
    public const string Name = "forge";

    public string Kind => Name;

    public BackendCapabilities Capabilities => BackendCapabilities.Runs;

    public IEnumerable<string> ValidateOptions(BackendOptions options, string keyPrefix) =>
        LlmKindOptions.Validate(options, keyPrefix, Name, defaultBaseUrl: null, requireApiKey: false, requireModel: false);

    public IBackendClient CreateClient(BackendOptions options, IServiceProvider services) =>
        new ForgeClient(options, services.GetRequiredService<ISseStreamRunner>(), services.GetRequiredService<SecretRedactor>());
}
