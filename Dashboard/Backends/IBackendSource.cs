using Dashboard.Configuration;

namespace Dashboard.Backends;

/// <summary>
/// Supplies backends to run. Configuration is one source; the embedded demo is another (its
/// backends point at this app's own address, known only once the server listens).
/// </summary>
public interface IBackendSource
{
    /// <param name="selfBaseUrl">A loopback http address this app listens on (e.g. http://127.0.0.1:5102/).</param>
    IReadOnlyList<BackendOptions> GetBackends(Uri selfBaseUrl);
}
