using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Benchmarks.LiveApi;

/// <summary>
/// The real app on a real loopback socket (no backends, no demo, no logs), with its hub's entrance
/// (the sink a decoder publishes into) and the clients the live API's users would use.
/// </summary>
public sealed class LiveBenchApp : IAsyncDisposable
{
    private readonly TestApp _app;

    private LiveBenchApp(TestApp app)
    {
        _app = app;
        BaseUri = new Uri(app.BaseUrl + "/");
    }

    public Uri BaseUri { get; }

    /// <summary>Where a decoder publishes: redaction and budgets, then the hub and the replay log.</summary>
    public IDomainEventSink Sink => _app.Services.GetRequiredService<IDomainEventSink>();

    public IEventReplay Replay => _app.Services.GetRequiredService<IEventReplay>();

    public IServiceProvider Services => _app.Services;

    /// <param name="replayMaxEvents">The replay window; a benchmark that reads from a cursor keeps all it published inside it.</param>
    /// <param name="logs">Keep the app's log (warnings and errors are printed by <see cref="PrintTrouble"/>): for finding a failure, not for figures.</param>
    public static LiveBenchApp Start(int? replayMaxEvents = null, bool logs = false)
    {
        var settings = new Dictionary<string, string?>();
        if (replayMaxEvents is { } max)
        {
            settings["Dashboard:LiveApi:ReplayMaxEvents"] = max.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return new LiveBenchApp(new TestApp(settings) { Demo = false, QuietLogs = !logs });
    }

    /// <summary>A plain HttpClient on the socket with the API's bearer token, as curl would send it.</summary>
    public HttpClient Http() => new()
    {
        BaseAddress = BaseUri,
        Timeout = Timeout.InfiniteTimeSpan,
        DefaultRequestHeaders = { Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestApp.Token) },
    };

    public HubConnection Hub(bool messagePack) => Hub(BaseUri, messagePack);

    /// <summary>A client of the hub at <paramref name="baseUri"/> (also from another process), with the API's token and (unless <paramref name="stateful"/> is false) stateful reconnect.</summary>
    public static HubConnection Hub(Uri baseUri, bool messagePack, bool stateful = true)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(baseUri, "hubs/events"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(TestApp.Token));
        if (stateful)
        {
            builder.WithStatefulReconnect();
        }

        if (messagePack)
        {
            builder.AddMessagePackProtocol();
        }

        return builder.Build();
    }

    /// <summary>The app's warnings and errors so far (empty unless started with logs).</summary>
    public void PrintTrouble(TextWriter output)
    {
        var trouble = _app.LogLines.Where(l => l.StartsWith("Warning", StringComparison.Ordinal) || l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Critical", StringComparison.Ordinal)).ToList();
        output.WriteLine($"server log: {trouble.Count} warnings and errors");
        foreach (var line in trouble.Take(20))
        {
            output.WriteLine(line);
        }
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
