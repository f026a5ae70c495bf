using System.Text.Json;
using Dashboard.Backends;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Security;
using Dashboard.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.Backends.Llm;

/// <summary>One configured LLM backend, its client (made by its kind) and a run recorded by a sink.</summary>
internal sealed class ClientHarness
{
    public const string ApiKey = "sk-live-SECRET-4242";

    public ClientHarness(string kind, string baseUrl, string prompt = "Plan it", IReadOnlyDictionary<string, JsonElement>? options = null, Action<BackendOptions>? configure = null)
    {
        Options = new BackendOptions { Name = "llm", Kind = kind, BaseUrl = baseUrl, ApiKey = ApiKey, Model = "test-model" };
        configure?.Invoke(Options);
        var dashboard = new DashboardOptions { Backends = [Options] };
        // The real ingest path: runner, parser, monitors (their health events land in the sink too).
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(Microsoft.Extensions.Options.Options.Create(dashboard))
            .AddSingleton<IDomainEventSink>(Sink)
            .AddIngest()
            .AddBackendKinds()
            .BuildServiceProvider();
        Client = (IRunClient)services.GetRequiredService<BackendKindRegistry>().Find(kind)!.CreateClient(Options, services);
        Run = new RunContext("run-1", new RunRequest("llm", prompt, Options: options), null, Sink, TimeProvider.System);
    }

    public BackendOptions Options { get; }

    public IRunClient Client { get; }

    public RecordingSink Sink { get; } = new();

    public RunContext Run { get; }

    public RunEnded Ended => Assert.Single(Sink.Events.OfType<RunEnded>());

    public string Text => string.Concat(Sink.Events.OfType<RunTextReceived>().Where(t => t.Channel == TextChannel.Output)
        .Aggregate(new List<string>(), (acc, t) =>
        {
            if (t.Mode == TextMode.Replace)
            {
                acc.Clear();
            }

            acc.Add(t.Text);
            return acc;
        }));

    public Task RunAsync(CancellationToken cancellationToken = default) => Client.RunAsync(Run, cancellationToken).WaitAsync(TimeSpan.FromSeconds(20), CancellationToken.None);
}
