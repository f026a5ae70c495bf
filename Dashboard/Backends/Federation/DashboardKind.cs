using Dashboard.Backends.Common;
using Dashboard.Configuration;
using Dashboard.Domain;

namespace Dashboard.Backends.Federation;

/// <summary>
/// Another Dashboard, followed live through its <c>/hubs/events</c> hub: its backends, graphs and
/// runs show here under <c>&lt;link name&gt;/&lt;its backend&gt;</c>. <c>BaseUrl</c> is the other
/// dashboard, <c>ApiKey</c> its API token.
/// </summary>
public sealed class DashboardKind : IBackendKind
{
    public const string Name = "dashboard";

    public string Kind => Name;

    public BackendCapabilities Capabilities => BackendCapabilities.AlwaysOnStream;

    public IEnumerable<string> ValidateOptions(BackendOptions options, string keyPrefix) =>
        OptionRules.Problems(OptionRules.HttpUrl(options.BaseUrl, $"{keyPrefix}:BaseUrl", Kind));

    public IBackendClient CreateClient(BackendOptions options, IServiceProvider services) => new DashboardLinkClient(
        options,
        BackendServices.EventSink(services),
        BackendServices.Clock(services),
        () => services.GetRequiredService<Events.IEventReplay>().Instance,
        services.GetService<Ingest.Monitoring.BackendMonitors>(),
        services.GetRequiredService<ILoggerFactory>().CreateLogger<DashboardLinkClient>(),
        services.GetService<Events.IKeptValues>(),
        services.GetService<State.IDashboardState>());
}
