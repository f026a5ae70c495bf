using Dashboard.Configuration;
using Dashboard.Domain;

namespace Dashboard.Backends;

/// <summary>A running backend: its options, its kind and the one client the app uses to talk to it.</summary>
public sealed record BackendEntry
{
    public BackendEntry(BackendOptions options, IBackendKind kind, IBackendClient client)
    {
        // The kind's flags are what the rest of the app reads; the client must back each of them.
        Require<IRunClient>(kind, client, BackendCapabilities.Runs);
        Require<IAlwaysOnStream>(kind, client, BackendCapabilities.AlwaysOnStream);
        Options = options;
        Kind = kind;
        Client = client;
    }

    public BackendOptions Options { get; }

    public IBackendKind Kind { get; }

    public IBackendClient Client { get; }

    public string Name => Options.Name;

    public bool IsDemo => Options.IsDemo;

    /// <summary>The run side of the client; null unless the kind has <see cref="BackendCapabilities.Runs"/>.</summary>
    public IRunClient? Runs => Has(BackendCapabilities.Runs) ? (IRunClient)Client : null;

    /// <summary>The always-on side of the client; null unless the kind has <see cref="BackendCapabilities.AlwaysOnStream"/>.</summary>
    public IAlwaysOnStream? AlwaysOn => Has(BackendCapabilities.AlwaysOnStream) ? (IAlwaysOnStream)Client : null;

    public bool Has(BackendCapabilities capability) => Kind.Capabilities.Includes(capability);

    private static void Require<T>(IBackendKind kind, IBackendClient client, BackendCapabilities capability)
    {
        if (kind.Capabilities.Includes(capability) && client is not T)
        {
            throw new InvalidOperationException($"Kind {kind.Kind} declares {capability} but its client {client.GetType().Name} is no {typeof(T).Name}.");
        }
    }
}

/// <summary>
/// The backends this app runs, filled once by <see cref="BackendHost"/> after the server listens
/// (demo backends need the app's own address). Readers that must not race start-up await <see cref="Ready"/>.
/// </summary>
public sealed class BackendCatalog
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile IReadOnlyList<BackendEntry> _all = [];
    private volatile Dictionary<string, BackendEntry> _byName = new(BackendNames.Comparer);

    /// <summary>In the order their sources gave them.</summary>
    public IReadOnlyList<BackendEntry> All => _all;

    /// <summary>Completes once the backends are known.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Case-insensitive, like configuration names.</summary>
    public BackendEntry? Find(string? name) => name is null ? null : _byName.GetValueOrDefault(name);

    /// <summary>Waits for <see cref="Ready"/> at most <paramref name="timeout"/>; false when it did not come.</summary>
    public async Task<bool> WaitReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await Ready.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Sets the backends once; names must be unique (case-insensitive).</summary>
    public void Publish(IReadOnlyList<BackendEntry> entries)
    {
        var byName = entries.ToDictionary(e => e.Name, BackendNames.Comparer);
        _byName = byName;
        _all = entries;
        if (!_ready.TrySetResult())
        {
            throw new InvalidOperationException("The backend catalog was already published.");
        }
    }
}
