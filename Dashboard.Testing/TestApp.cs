using System.Collections.Concurrent;
using System.Net;
using Dashboard.Backends;
using Dashboard.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dashboard.Testing;

/// <summary>
/// The one way tests and benchmarks host the real app: a fixed sign-in token, the given settings on
/// top of the app's own, an environment (Development or Production), optional test-only backend
/// kinds, console and log capture, and by default a real Kestrel socket on 127.0.0.1:&lt;free port&gt;.
/// Shared with the benchmarks.
/// </summary>
public sealed class TestApp : WebApplicationFactory<Program>
{
    /// <summary>The fixed sign-in token; the API takes it as <c>Authorization: Bearer</c>.</summary>
    public const string Token = "test-app-token-0123456789abcdef";

    private readonly Dictionary<string, string?> _settings;

    public TestApp(IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        _settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            // No history file unless asked for: never the user's own, never one shared by two apps.
            ["Dashboard:Storage:Provider"] = "memory",
        };
        foreach (var (key, value) in settings ?? [])
        {
            _settings[key] = value;
        }
    }

    /// <summary>Development (default) or Production: both are how the app is really run.</summary>
    public string Environment { get; init; } = "Development";

    /// <summary>Null: the app's own default (demo on when no backend is configured). Settings still win.</summary>
    public bool? Demo { get; init; }

    /// <summary>False: the in-memory test server (for tests that bind no port or check refused addresses).</summary>
    public bool Kestrel { get; init; } = true;

    /// <summary>The loopback port with <see cref="Kestrel"/> (0: any free one). Two apps that link to each other need theirs known before they start.</summary>
    public int Port { get; init; }

    /// <summary>Test-only backend kinds (stand-ins for upstream dialects), added to the app's own.</summary>
    public IReadOnlyList<IBackendKind> Kinds { get; init; } = [];

    /// <summary>Extra services (a benchmark's probe, a test's replacement).</summary>
    public Action<IServiceCollection>? ExtraServices { get; init; }

    /// <summary>True: no log output at all (benchmarks); otherwise every line is kept in <see cref="LogLines"/>.</summary>
    public bool QuietLogs { get; init; }

    /// <summary>What the app printed to its console (the sign-in link).</summary>
    public StringWriter ConsoleOut { get; } = new();

    public ConcurrentQueue<string> LogLines { get; } = new();

    /// <summary>http://127.0.0.1:port (no trailing slash); starts the server.</summary>
    public string BaseUrl
    {
        get
        {
            StartServer();
            return Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        }
    }

    /// <summary>The sign-in link: visiting it sets the auth cookie and redirects into the app.</summary>
    public string LoginUrl => $"{BaseUrl}/login?t={Uri.EscapeDataString(Token)}";

    /// <param name="authorized">False: no bearer token (the API must refuse it).</param>
    public HttpClient CreateApiClient(bool authorized = true)
    {
        var client = Kestrel
            ? CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(BaseUrl) })
            : CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (authorized)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        }

        return client;
    }

    /// <summary>
    /// The factory's own start, without its race: the app runs on its entry point's thread, and a
    /// refused start there disposes the host, so a factory that asks the host for its services
    /// after that got an ObjectDisposedException instead of the app's exception. The app's start is
    /// held at its lifetime's first step until the factory waits on it.
    /// </summary>
    protected override IHost CreateHost(IHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        builder.ConfigureServices(services => GatedHostLifetime.Wrap(services, gate.Task));
        var host = builder.Build();
        var starting = host.StartAsync();
        gate.SetResult();
        starting.GetAwaiter().GetResult();
        return host;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        if (Kestrel)
        {
            UseKestrel(o => o.Listen(IPAddress.Loopback, Port));
        }

        builder.UseEnvironment(Environment);
        builder.UseSetting("Dashboard:Auth:Token", Token);
        if (Demo is { } demo)
        {
            builder.UseSetting("Dashboard:Demo:Enabled", demo ? "true" : "false");
        }

        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging =>
        {
            if (QuietLogs)
            {
                logging.ClearProviders();
            }
        });
        builder.ConfigureServices(services =>
        {
            services.AddSingleton(new SignInConsole(TextWriter.Synchronized(ConsoleOut)));
            if (!QuietLogs)
            {
                services.AddSingleton<ILoggerProvider>(new CapturingLoggerProvider(LogLines));
            }
        });
        builder.ConfigureTestServices(services =>
        {
            foreach (var kind in Kinds)
            {
                services.AddSingleton(kind);
            }

            ExtraServices?.Invoke(services);
        });
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, lines);

        public void Dispose()
        {
        }
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        // The structured values too: a secret in a log field is a leak even when the message hides it.
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} [{values}] {exception}");
        }
    }
}
