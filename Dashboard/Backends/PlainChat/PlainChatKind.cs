using Dashboard.Domain;
using Dashboard.Backends.Common;
using Dashboard.Configuration;
using Dashboard.Ingest;

namespace Dashboard.Backends.PlainChat;

/// <summary>Simple chat stream (seed 002).</summary>
public sealed class PlainChatKind : IBackendKind
{
    public const string Name = "plain-chat";

    public string Kind => Name;

    public BackendCapabilities Capabilities => BackendCapabilities.Runs;

    public IEnumerable<string> ValidateOptions(BackendOptions options, string keyPrefix) =>
        OptionRules.Problems(OptionRules.HttpUrl(options.BaseUrl, $"{keyPrefix}:BaseUrl", Kind));

    public IBackendClient CreateClient(BackendOptions options, IServiceProvider services) =>
        new PlainChatClient(options, services.GetRequiredService<ISseStreamRunner>());
}
