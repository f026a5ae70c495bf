using System.Text.Json;
using System.Threading.Channels;
using Dashboard.Backends;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Ingest.Streaming;
using Dashboard.Security;
using Dashboard.Tests.Ingest;
using Dashboard.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.Backends.Llm;

/// <summary>
/// One configured LLM backend, its client (made by its kind) and a run recorded by a sink. Time is
/// a fake clock: only the waits the stream runner plans between attempts are advanced, so a retry
/// costs no real time and a stall timer never fires on its own.
/// </summary>
internal sealed class ClientHarness
{
    public const string ApiKey = "sk-live-SECRET-4242";

    private readonly Channel<TimeSpan> _retries = Channel.CreateUnbounded<TimeSpan>();

    public ClientHarness(string kind, string baseUrl, string prompt = "Plan it", IReadOnlyDictionary<string, JsonElement>? options = null, Action<BackendOptions>? configure = null)
    {
        Options = new BackendOptions { Name = "llm", Kind = kind, BaseUrl = baseUrl, ApiKey = ApiKey, Model = "test-model" };
        configure?.Invoke(Options);
        var dashboard = new DashboardOptions { Backends = [Options] };
        // The app's redaction boundary sits in front of the recording sink, as it sits in front of the hub.
        var sink = new RedactingEventSink(Sink, new SecretRedactor(Microsoft.Extensions.Options.Options.Create(dashboard)));
        // The real ingest path: runner, parser, monitors (their health events land in the sink too).
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(Clock)
            .AddSingleton(Microsoft.Extensions.Options.Options.Create(dashboard))
            .AddSingleton<IDomainEventSink>(sink)
            .AddIngest()
            .AddBackendKinds()
            .BuildServiceProvider();
        services.GetRequiredService<SseStreamRunner>().RetryPlanned += (_, retry) => _retries.Writer.TryWrite(retry.Delay);
        Client = (IRunClient)services.GetRequiredService<BackendKindRegistry>().Find(kind)!.CreateClient(Options, services);
        Run = new RunContext("run-1", new RunRequest("llm", prompt, Options: options), null, sink, Clock);
    }

    public SignalingTimeProvider Clock { get; } = new();

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

    /// <summary>Runs the client to its end, advancing the clock past each retry wait the runner plans.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        var run = Client.RunAsync(Run, cancellationToken);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!run.IsCompleted)
        {
            var retry = _retries.Reader.WaitToReadAsync(timeout.Token).AsTask();
            await Task.WhenAny(run, retry);
            timeout.Token.ThrowIfCancellationRequested();
            while (_retries.Reader.TryRead(out var delay))
            {
                await AdvancePastAsync(delay, timeout.Token);
            }
        }

        await run;
    }

    /// <summary>Waits for the runner's timer of <paramref name="delay"/> (a stall timer is skipped), then moves the clock past it.</summary>
    private async Task AdvancePastAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        // Task.Delay hands the clock whole milliseconds: the timer's due time is the delay, truncated.
        TimeSpan due;
        do
        {
            due = await Clock.NextTimerAsync(TimeSpan.FromSeconds(20)).WaitAsync(cancellationToken);
        }
        while (due > delay || delay - due >= TimeSpan.FromMilliseconds(1));

        Clock.Advance(due);
    }
}
