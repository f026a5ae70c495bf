using System.Diagnostics;
using Dashboard.Benchmarks.Infrastructure;
using Dashboard.Domain;

namespace Dashboard.Benchmarks.LiveApi;

/// <param name="ClientsInOwnProcess">The subscribers in a second process (this program started again), else in this one.</param>
/// <param name="Stateful">The clients ask for stateful reconnect, as the README's example does (the federation link does not).</param>
public sealed record LiveFanOutOptions(int Subscribers, int EventsPerSecond, TimeSpan Duration, bool MessagePack = false, bool Logs = false, bool ClientsInOwnProcess = false, bool Stateful = true);

/// <param name="Lost">Subscribers that missed, doubled or reordered any tick, or did not get them all.</param>
/// <param name="CpuTime">This process's CPU from the first publish to the last delivery: the server, and the clients when they share it.</param>
/// <param name="ClientCpuSeconds">The clients' own process's CPU over the same span, when they had one.</param>
/// <param name="Errors">Why subscriptions ended early, grouped.</param>
public sealed record LiveFanOutResult(
    long Published,
    double PublishedPerSecond,
    long Delivered,
    long ExpectedDeliveries,
    int Lost,
    LagFigures Lag,
    TimeSpan CpuTime,
    double? ClientCpuSeconds,
    TimeSpan ConnectTime,
    IReadOnlyList<string> Errors,
    long ManagedBytesAtEnd);

/// <summary>
/// SignalR fan-out of the live event API: many SignalR.Client subscribers (<see cref="LiveSubscribers"/>,
/// in this process or their own) on the real app's /hubs/events over loopback, a paced publisher
/// writing run text into the app's hub entrance as a decoder would.
/// </summary>
public static class LiveFanOut
{
    private const string RunId = "live-fan-out";

    public static async Task<LiveFanOutResult> RunAsync(LiveFanOutOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var total = (long)(options.EventsPerSecond * options.Duration.TotalSeconds);

        await using var app = LiveBenchApp.Start(logs: options.Logs);
        var sink = app.Sink;
        sink.Publish(new RunCreated { Backend = LiveSubscribers.Backend, At = DateTimeOffset.UtcNow, RunId = RunId, Prompt = "live fan-out" });

        var connecting = Stopwatch.StartNew();
        LiveClientProcess? process = null;
        LiveSubscribers? local = null;
        try
        {
            if (options.ClientsInOwnProcess)
            {
                process = await LiveClientProcess.StartAsync(app.BaseUri, options.Subscribers, total, options.MessagePack, options.Stateful);
            }
            else
            {
                local = await LiveSubscribers.ConnectAsync(app.BaseUri, options.Subscribers, total, options.MessagePack, options.Stateful, cancellationToken);
            }

            connecting.Stop();

            var cpuBefore = ProcessMeter.CpuTime;
            var publishSeconds = await Pacer.RunAsync(total, options.EventsPerSecond, i =>
                sink.Publish(new RunTextReceived { Backend = LiveSubscribers.Backend, At = DateTimeOffset.UtcNow, RunId = RunId, Text = LiveSubscribers.TickText(i) }),
                cancellationToken);

            LiveClientFigures figures;
            if (process is not null)
            {
                figures = await process.ResultAsync();
            }
            else
            {
                await local!.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
                figures = local.Figures();
            }

            var cpu = ProcessMeter.CpuTime - cpuBefore;
            foreach (var error in figures.Errors)
            {
                Console.WriteLine("subscription ended early: " + error);
            }

            return new LiveFanOutResult(
                total,
                total / publishSeconds,
                figures.Received,
                total * options.Subscribers,
                figures.Lost,
                figures.Lag,
                cpu,
                figures.CpuSeconds,
                connecting.Elapsed,
                figures.Errors,
                GC.GetTotalMemory(forceFullCollection: false));
        }
        finally
        {
            if (local is not null)
            {
                await local.DisposeAsync();
            }

            if (process is not null)
            {
                await process.DisposeAsync();
            }

            if (options.Logs)
            {
                app.PrintTrouble(Console.Out);
            }
        }
    }
}
