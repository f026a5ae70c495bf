using Dashboard.Domain;
using Dashboard.Backends.Common;
using Dashboard.Configuration;
using Dashboard.Ingest;

namespace Dashboard.Backends.TestGen;

/// <summary>Streaming test generation (seed 004).</summary>
public sealed class TestGenKind : IBackendKind
{
    public const string Name = "testgen";

    public string Kind => Name;

    public BackendCapabilities Capabilities => BackendCapabilities.Runs;

    public IEnumerable<string> ValidateOptions(BackendOptions options, string keyPrefix) =>
        OptionRules.Problems(OptionRules.HttpUrl(options.BaseUrl, $"{keyPrefix}:BaseUrl", Kind));

    public IBackendClient CreateClient(BackendOptions options, IServiceProvider services) =>
        new TestGenClient(options, services.GetRequiredService<ISseStreamRunner>());
}
