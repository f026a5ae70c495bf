using System.Diagnostics.CodeAnalysis;

namespace Dashboard.Backends;

/// <summary>The known backend kinds, by their configuration name.</summary>
public sealed class BackendKindRegistry
{
    private readonly Dictionary<string, IBackendKind> _kinds;

    public BackendKindRegistry(IEnumerable<IBackendKind> kinds)
    {
        _kinds = kinds.ToDictionary(k => k.Kind, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<string> Names => _kinds.Keys;

    public IBackendKind? Find(string kind) => _kinds.GetValueOrDefault(kind);
}

public static class BackendKindServiceCollectionExtensions
{
    /// <summary>
    /// Registers every <see cref="IBackendKind"/> in this assembly, so a new kind is one folder
    /// under Backends/ and nothing else changes.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The app is not trimmed.")]
    public static IServiceCollection AddBackendKinds(this IServiceCollection services)
    {
        var kinds = typeof(IBackendKind).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IBackendKind).IsAssignableFrom(t));
        foreach (var kind in kinds)
        {
            services.AddSingleton(typeof(IBackendKind), kind);
        }

        services.AddSingleton<BackendKindRegistry>();
        services.AddBackendOptionsValidation();
        return services;
    }
}
