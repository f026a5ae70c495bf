using Dashboard.Configuration;

namespace Dashboard.Backends;

/// <summary>
/// One upstream dialect (codegen, openai-chat, …). Each kind lives in its own folder under
/// Backends/ and is registered once in <see cref="BackendKindRegistry"/>; adding a kind touches
/// nothing else.
/// </summary>
public interface IBackendKind
{
    /// <summary>The configuration value of <c>Dashboard:Backends:i:Kind</c>.</summary>
    string Kind { get; }

    BackendCapabilities Capabilities { get; }

    /// <summary>Start-up validation: one message per problem, naming the key to fix (<paramref name="keyPrefix"/> is e.g. "Dashboard:Backends:0").</summary>
    IEnumerable<string> ValidateOptions(BackendOptions options, string keyPrefix);

    IBackendClient CreateClient(BackendOptions options, IServiceProvider services);
}

[Flags]
public enum BackendCapabilities
{
    None = 0,

    /// <summary>Publishes graph stats (CodeDreamer).</summary>
    GraphStats = 1,

    /// <summary>Runs can be started from the form / POST /api/runs.</summary>
    Runs = 2,

    /// <summary>Keeps an always-on stream open while the app runs.</summary>
    AlwaysOnStream = 4,
}
