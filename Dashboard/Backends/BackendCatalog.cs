using Dashboard.Configuration;

namespace Dashboard.Backends;

/// <summary>A running backend: its options, its kind and the one client the app uses to talk to it.</summary>
public sealed record BackendEntry(BackendOptions Options, IBackendKind Kind, IBackendClient Client)
{
    public string Name => Options.Name;

    public bool IsDemo => Options.IsDemo;

    public bool Has(BackendCapabilities capability) => (Kind.Capabilities & capability) == capability;
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
