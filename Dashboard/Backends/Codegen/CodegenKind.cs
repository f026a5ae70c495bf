using Dashboard.Domain;
using Dashboard.Backends.Common;
using Dashboard.Configuration;
using Dashboard.Ingest;
using Dashboard.Security;

namespace Dashboard.Backends.Codegen;

/// <summary>The code-generation backend (seed 001): login, generate/iterate, progress stream.</summary>
public sealed class CodegenKind : IBackendKind
{
    public const string Name = "codegen";

    public string Kind => Name;

    public BackendCapabilities Capabilities => BackendCapabilities.Runs | BackendCapabilities.Iterations;

    public IEnumerable<string> ValidateOptions(BackendOptions options, string keyPrefix) => OptionRules.Problems(
        OptionRules.HttpUrl(options.BaseUrl, $"{keyPrefix}:BaseUrl", Kind),
        OptionRules.Required(options.Username, $"{keyPrefix}:Username", Kind),
        OptionRules.Required(options.Password, $"{keyPrefix}:Password", Kind));

    public IBackendClient CreateClient(BackendOptions options, IServiceProvider services) => new CodegenClient(
        options,
        services.GetRequiredService<IHttpClientFactory>(),
        services.GetRequiredService<ISseStreamRunner>(),
        services.GetRequiredService<SecretRedactor>(),
        BackendServices.Clock(services),
        BackendServices.Logger<CodegenClient>(services));
}
