using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Dashboard.Benchmarks.Infrastructure;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Runs;
using Dashboard.State;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Benchmarks.ScaleOut;

public sealed record ReplicaLatencyOptions(string Postgres, string Redis, int Events, TimeSpan Interval);

/// <summary>Upstream-to-hub latency of one arm: where the events were read, how many arrived, and their latency.</summary>
public sealed record ReplicaLatencyArm(string Name, int Expected, LatencyHistogram Latency);

/// <summary>
/// What the shared path costs: a codegen upstream sends numbered steps, paced, to the replica
/// following the run; each step's latency runs from just before the upstream writes it to the
/// moment a hub subscriber on a replica reads it. Three arms, in one process, on one upstream:
/// the follower (holder) of a run in a two-replica cluster and the other replica (which gets each
/// event from the Redis Stream), and one process without Redis (the single-process baseline).
/// </summary>
public static class ReplicaLatencyBenchmark
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    public static async Task<IReadOnlyList<ReplicaLatencyArm>> RunAsync(ReplicaLatencyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var upstream = await ScaleOutUpstream.StartAsync();
        var backend = "gen-" + Guid.NewGuid().ToString("N")[..8];
        var cluster = FailoverBenchmark.ReplicaSettings(options.Postgres, options.Redis, TimeSpan.FromSeconds(10), upstream.Backend(backend));
        var arms = new List<ReplicaLatencyArm>();
        await using (var holder = new TestApp(cluster) { Demo = false, QuietLogs = true })
        await using (var other = new TestApp(cluster) { Demo = false, QuietLogs = true })
        {
            _ = holder.BaseUrl;
            _ = other.BaseUrl;
            var measured = await MeasureAsync(upstream, backend, holder, [holder, other], options);
            arms.Add(new ReplicaLatencyArm("holder (follows the run)", options.Events, measured[0]));
            arms.Add(new ReplicaLatencyArm("other replica (Redis Stream)", options.Events, measured[1]));
        }

        await using (var single = new TestApp(upstream.Backend(backend)) { Demo = false, QuietLogs = true })
        {
            _ = single.BaseUrl;
            var measured = await MeasureAsync(upstream, backend, single, [single], options);
            arms.Add(new ReplicaLatencyArm("one process, no Redis", options.Events, measured[0]));
        }

        return arms;
    }

    private static async Task<LatencyHistogram[]> MeasureAsync(ScaleOutUpstream upstream, string backend, TestApp starter, TestApp[] watchers, ReplicaLatencyOptions options)
    {
        using var api = starter.CreateApiClient();
        var subscriptions = watchers.Select(w => w.Services.GetRequiredService<IEventHub>().Subscribe(e => e is RunEvent, capacity: (options.Events * 4) + 1_000)).ToArray();
        try
        {
            var id = await FailoverBenchmark.StartRunAsync(api, backend);
            if (!starter.Services.GetRequiredService<RunManager>().IsFollowing(id))
            {
                throw new InvalidOperationException($"Run {id} is not followed by the replica that started it.");
            }

            // Its generation's stream is open once the run has an upstream id and the stream said "connected".
            var state = starter.Services.GetRequiredService<IDashboardState>();
            await FailoverBenchmark.NextAsync(subscriptions[0], e => e is RunStageReported s && s.RunId == id && s.Stage == "connected");
            var generation = upstream.Of(state.GetRun(id)?.UpstreamId ?? throw new InvalidOperationException($"Run {id} has no upstream id."));

            var received = watchers.Select(_ => new ConcurrentDictionary<int, long>()).ToArray();
            var readers = subscriptions.Select((s, i) => Task.Run(() => ReadStepsAsync(s, id, options.Events, received[i]))).ToArray();
            using (var pace = new PeriodicTimer(options.Interval))
            {
                for (var step = 0; step < options.Events; step++)
                {
                    generation.Sent[step] = Stopwatch.GetTimestamp();
                    generation.Steps.Writer.TryWrite(step);
                    await pace.WaitForNextTickAsync();
                }
            }

            await Task.WhenAll(readers).WaitAsync(Patience);
            await starter.Services.GetRequiredService<RunManager>().CancelAsync(id);
            return [.. received.Select(r =>
            {
                var histogram = new LatencyHistogram();
                foreach (var (step, at) in r)
                {
                    histogram.Record(Stopwatch.GetElapsedTime(generation.Sent[step], at).TotalMilliseconds);
                }

                return histogram;
            })];
        }
        finally
        {
            foreach (var subscription in subscriptions)
            {
                subscription.Dispose();
            }
        }
    }

    /// <summary>Stamps each step's text as it is read, until the last step.</summary>
    private static async Task ReadStepsAsync(HubSubscription subscription, string runId, int events, ConcurrentDictionary<int, long> received)
    {
        while (received.Count < events)
        {
            var e = (await subscription.Events.ReadAsync()).Event;
            if (e is RunTextReceived text && text.RunId == runId && text.Text.StartsWith('p'))
            {
                received.TryAdd(int.Parse(text.Text.AsSpan(1), CultureInfo.InvariantCulture), Stopwatch.GetTimestamp());
            }
        }
    }
}

/// <summary><c>replica-latency --postgres "Host=…;Database=…" --redis 127.0.0.1:6379 [--events 500] [--interval-ms 20]</c>.</summary>
public static class ReplicaLatencyCommand
{
    public static async Task<int> RunAsync(HarnessArgs args)
    {
        var postgres = args.Value("postgres");
        var redis = args.Value("redis");
        if (string.IsNullOrWhiteSpace(postgres) || string.IsNullOrWhiteSpace(redis))
        {
            Console.Error.WriteLine("replica-latency needs --postgres \"Host=127.0.0.1;Port=5432;Database=…;Username=…\" and --redis 127.0.0.1:6379");
            return 2;
        }

        var options = new ReplicaLatencyOptions(postgres, redis, args.Int("events", 500), TimeSpan.FromMilliseconds(args.Int("interval-ms", 20)));
        Console.WriteLine($"replica-latency: {options.Events} codegen steps, one every {options.Interval.TotalMilliseconds:0} ms; upstream write to a hub subscriber's read");
        var table = new Table("arm", "events", "p50 ms", "p95 ms", "p99 ms", "max ms");
        foreach (var arm in await ReplicaLatencyBenchmark.RunAsync(options))
        {
            table.Add(arm.Name, arm.Latency.Count, arm.Latency.Percentile(0.5), arm.Latency.Percentile(0.95), arm.Latency.Percentile(0.99), arm.Latency.MaxMilliseconds);
        }

        Console.WriteLine(table);
        return 0;
    }
}
