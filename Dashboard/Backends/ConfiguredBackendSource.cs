using Dashboard.Configuration;
using Microsoft.Extensions.Options;

namespace Dashboard.Backends;

/// <summary>The backends of <c>Dashboard:Backends</c> (already validated at start-up).</summary>
public sealed class ConfiguredBackendSource(IOptions<DashboardOptions> options) : IBackendSource
{
    public IReadOnlyList<BackendOptions> GetBackends(Uri selfBaseUrl) => options.Value.Backends;
}
