using Dashboard.Domain;
using Dashboard.Backends.Common;
using Dashboard.Configuration;
using Dashboard.Ingest;

namespace Dashboard.Backends.CodeDreamer;

/// <summary>CodeDreamer (seed 000): graph stats stream plus dream runs.</summary>
public sealed class CodeDreamerKind : IBackendKind
{
    public const string Name = "codedreamer";

    public string Kind => Name;

    public BackendCapabilities Capabilities => BackendCapabilities.GraphStats | BackendCapabilities.AlwaysOnStream | BackendCapabilities.Runs;

    public IEnumerable<string> ValidateOptions(BackendOptions options, string keyPrefix) =>
        OptionRules.Problems(OptionRules.HttpUrl(options.BaseUrl, $"{keyPrefix}:BaseUrl", Kind));

    public IBackendClient CreateClient(BackendOptions options, IServiceProvider services) => new CodeDreamerClient(
        options,
        services.GetRequiredService<IHttpClientFactory>(),
        services.GetRequiredService<ISseStreamRunner>(),
        BackendServices.EventSink(services),
        BackendServices.Clock(services),
        BackendServices.Logger<CodeDreamerClient>(services));
}
