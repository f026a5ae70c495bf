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
