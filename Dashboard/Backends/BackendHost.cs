using Dashboard.Configuration;
using Dashboard.Ingest.Monitoring;
using Dashboard.Security;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Dashboard.Backends;

/// <summary>
/// Brings the backends up once the server listens (demo backends point at this app's own address):
/// gathers every <see cref="IBackendSource"/>, creates one client per backend, publishes them in
/// the <see cref="BackendCatalog"/> and keeps each always-on stream running until shutdown.
/// A failing backend is logged and left out or stopped; it never takes the app down.
/// </summary>
public sealed class BackendHost(
    IEnumerable<IBackendSource> sources,
    BackendKindRegistry kinds,
    BackendCatalog catalog,
    IServer server,
    IHostApplicationLifetime lifetime,
    IServiceProvider services,
    ILogger<BackendHost> logger) : BackgroundService
{
    private static readonly Uri FallbackSelf = new("http://127.0.0.1/");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await WaitForServerAsync(stoppingToken))
        {
            return;
        }

        var entries = CreateEntries(FindSelfAddress());
        RegisterWithMonitors(entries);
        catalog.Publish(entries);
        logger.LogInformation("Backends: {Backends}", entries.Count == 0 ? "none" : string.Join(", ", entries.Select(e => $"{e.Name} ({e.Kind.Kind})")));

        try
        {
            await Task.WhenAll(entries.Where(e => e.AlwaysOn is not null).Select(e => RunAlwaysOnAsync(e, e.AlwaysOn!, stoppingToken)));
        }
        finally
        {
            foreach (var entry in entries)
            {
                await DisposeClientAsync(entry);
            }
        }
    }

    private async Task<bool> WaitForServerAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        try
        {
            await started.Task;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private Uri FindSelfAddress()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        if (SelfAddress.Pick(addresses) is { } self)
        {
            return self;
        }

        // In-memory test servers listen nowhere; only backends pointing at this app would care.
        logger.LogWarning("The server reports no http address; backends that call this app use {Fallback}", FallbackSelf);
        return FallbackSelf;
    }

    private List<BackendEntry> CreateEntries(Uri self)
    {
        var entries = new List<BackendEntry>();
        var validator = new BackendOptionsValidator(kinds);
        var taken = new Dictionary<string, string>(BackendNames.Comparer);
        foreach (var source in sources)
        {
            IReadOnlyList<BackendOptions> backends;
            try
            {
                backends = source.GetBackends(self);
            }
            catch (Exception ex)
            {
                logger.LogError("Backend source {Source} failed: {Error}", source.GetType().Name, ex.Message);
                continue;
            }

            for (var i = 0; i < backends.Count; i++)
            {
                var keyPrefix = source is ConfiguredBackendSource
                    ? BackendOptionsValidator.KeyPrefix(i)
                    : $"{source.GetType().Name}:{i}";
                if (TryCreate(backends[i], keyPrefix, validator, taken) is { } entry)
                {
                    entries.Add(entry);
                    taken[entry.Name] = keyPrefix;
                }
            }
        }

        return entries;
    }

    /// <summary>Every backend shows on the Backends page from the start, demo ones included.</summary>
    private void RegisterWithMonitors(List<BackendEntry> entries)
    {
        if (services.GetService<BackendMonitors>() is not { } monitors)
        {
            return;
        }

        foreach (var entry in entries)
        {
            monitors.Register(entry.Name, entry.Kind.Kind, entry.IsDemo);
        }
    }

    /// <summary>The same rules as start-up validation: configured backends passed them already, other sources' are checked here.</summary>
    private BackendEntry? TryCreate(BackendOptions options, string keyPrefix, BackendOptionsValidator validator, IReadOnlyDictionary<string, string> taken)
    {
        var problems = validator.Check(options, keyPrefix, taken);
        var kind = kinds.Find(options.Kind);
        if (problems.Count > 0 || kind is null)
        {
            foreach (var problem in problems)
            {
                logger.LogError("Backend left out: {Problem}", problem);
            }

            return null;
        }

        try
        {
            return new BackendEntry(options, kind, kind.CreateClient(options, services));
        }
        catch (Exception ex)
        {
            logger.LogError("Backend {Backend} left out: its client could not be created: {Error}", options.Name, ex.Message);
            return null;
        }
    }

    private async Task RunAlwaysOnAsync(BackendEntry entry, IAlwaysOnStream stream, CancellationToken stoppingToken)
    {
        if (services.GetService<IFollowLeases>() is { } leases)
        {
            await RunLeasedAsync(entry, stream, leases, stoppingToken);
            return;
        }

        await FollowAlwaysOnAsync(entry, stream, stoppingToken);
    }

    /// <summary>
    /// Several replicas: only the lease's holder ingests the stream (the others get its events
    /// through the shared hub). A holder that loses its lease stops and queues for it again.
    /// </summary>
    private async Task RunLeasedAsync(BackendEntry entry, IAlwaysOnStream stream, IFollowLeases leases, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            IFollowLease lease;
            try
            {
                lease = await leases.AcquireAsync(FollowLeaseKeys.Stream(entry.Name), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            // Released at once on the way out (graceful stop), so another replica takes over without waiting for the TTL.
            await using (lease)
            {
                using var following = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lease.Lost);
                logger.LogInformation("Always-on stream of {Backend}: this replica follows it.", entry.Name);
                await FollowAlwaysOnAsync(entry, stream, following.Token);
                if (!lease.Lost.IsCancellationRequested)
                {
                    // Stopped by shutdown, or failed for good (logged): as with one process, not restarted here.
                    return;
                }
            }
        }
    }

    private async Task FollowAlwaysOnAsync(BackendEntry entry, IAlwaysOnStream stream, CancellationToken stoppingToken)
    {
        try
        {
            // Own task: a client that blocks before its first await must not hold up the others.
            await Task.Run(() => stream.RunAlwaysOnAsync(stoppingToken), stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
        catch (Exception ex)
        {
            logger.LogError("Always-on stream of {Backend} stopped: {Error}", entry.Name, ex.Message);
        }
    }

    private async Task DisposeClientAsync(BackendEntry entry)
    {
        try
        {
            switch (entry.Client)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
        catch (Exception ex)
        {
            logger.LogWarning("Client of {Backend} failed to dispose: {Error}", entry.Name, ex.Message);
        }
    }
}
