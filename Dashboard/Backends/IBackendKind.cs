using Dashboard.Configuration;
using Dashboard.Domain;

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

    /// <summary>What its clients do; <see cref="BackendEntry"/> checks the client implements the matching interfaces.</summary>
    BackendCapabilities Capabilities { get; }

    /// <summary>Start-up validation: one message per problem, naming the key to fix (<paramref name="keyPrefix"/> is e.g. "Dashboard:Backends:0").</summary>
    IEnumerable<string> ValidateOptions(BackendOptions options, string keyPrefix);

    IBackendClient CreateClient(BackendOptions options, IServiceProvider services);
}
