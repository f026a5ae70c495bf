using Dashboard.Domain;
using Dashboard.Backends.Common;
using Dashboard.Configuration;
using Dashboard.Ingest;

namespace Dashboard.Backends.Jobs;

/// <summary>Job progress (seed 002): start a job, follow its 0–100 progress.</summary>
public sealed class JobsKind : IBackendKind
{
    public const string Name = "jobs";

    public string Kind => Name;

    public BackendCapabilities Capabilities => BackendCapabilities.Runs;

    public IEnumerable<string> ValidateOptions(BackendOptions options, string keyPrefix) =>
        OptionRules.Problems(OptionRules.HttpUrl(options.BaseUrl, $"{keyPrefix}:BaseUrl", Kind));

    public IBackendClient CreateClient(BackendOptions options, IServiceProvider services) =>
        new JobsClient(options, services.GetRequiredService<IHttpClientFactory>(), services.GetRequiredService<ISseStreamRunner>());
}
