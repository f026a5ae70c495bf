using System.Text.Json;
using Dashboard.Backends;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Ingest;
using Dashboard.State;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Backends.SeedTestSupport;

/// <summary>
/// The app's real pieces for one backend: event hub and state, ingest runner, secret redactor,
/// HTTP client factory, kinds found by scanning. Reconnect pacing is shortened, nothing else.
/// </summary>
internal sealed class SeedBackendHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private int _runs;

    /// <param name="clock">The ingest clock (a fake one for a test that drives stalls and retries); the system clock otherwise.</param>
    public SeedBackendHost(BackendOptions backend, TimeProvider? clock = null)
    {
        Backend = backend;
        var services = new ServiceCollection();
        services.AddLogging();
        if (clock is not null)
        {
            services.AddSingleton(clock);
        }

        services.Configure<DashboardOptions>(o => o.Backends.Add(backend));
        services.AddSingleton(new IngestTimings
        {
            InitialBackoff = TimeSpan.FromMilliseconds(20),
            MaxBackoff = TimeSpan.FromMilliseconds(100),
            SlowRetry = TimeSpan.FromMilliseconds(100),
            Jitter = 0,
            HealthPublishInterval = TimeSpan.FromMilliseconds(10),
        });
        services.AddEventHub();
        services.AddIngest();
        services.AddBackendKinds();
        _services = services.BuildServiceProvider();
        Client = _services.GetRequiredService<BackendKindRegistry>().Find(backend.Kind)!.CreateClient(backend, _services);
    }

    public BackendOptions Backend { get; }

    public IBackendClient Client { get; }

    /// <summary>The client's run side (kinds with runs).</summary>
    public IRunClient Runs => (IRunClient)Client;

    /// <summary>The client's always-on side (kinds with an always-on stream).</summary>
    public IAlwaysOnStream AlwaysOn => (IAlwaysOnStream)Client;

    public IUpstreamCancel UpstreamCancel => (IUpstreamCancel)Client;

    public IEventHub Hub => _services.GetRequiredService<IEventHub>();

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    /// <summary>Creates the run the way the launcher does (RunCreated first, so the state follows it).</summary>
    public RunContext NewRun(string prompt, string? optionsJson = null, string? parentRunId = null, string? parentUpstreamId = null)
    {
        var runId = $"run-{Interlocked.Increment(ref _runs)}";
        var options = optionsJson is null ? null : JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(optionsJson);
        var request = new RunRequest(Backend.Name, prompt, parentRunId, options);
        Hub.Publish(new RunCreated
        {
            Backend = Backend.Name, At = TimeProvider.System.GetUtcNow(), RunId = runId, Prompt = prompt, ParentRunId = parentRunId,
            Options = options ?? RunCreated.EmptyOptions,
        });
        return new RunContext(runId, request, parentUpstreamId, Hub, TimeProvider.System);
    }

    /// <summary>Runs to the end (bounded wait) and returns what the dashboard state shows.</summary>
    public async Task<RunView> RunToEndAsync(RunContext run, CancellationToken cancellationToken = default)
    {
        await Runs.RunAsync(run, cancellationToken).WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
        return View(run);
    }

    public RunView View(RunContext run) => Hub.State.GetRun(run.RunId)!;

    /// <summary>The first later hub event matching <paramref name="match"/>.</summary>
    public static async Task<T> NextAsync<T>(HubSubscription subscription, Func<T, bool>? match = null) where T : DashboardEvent
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await foreach (var e in subscription.Events.ReadAllAsync(timeout.Token))
        {
            if (e.Event is T t && (match is null || match(t)))
            {
                return t;
            }
        }

        throw new InvalidOperationException("Subscription ended.");
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();
}
