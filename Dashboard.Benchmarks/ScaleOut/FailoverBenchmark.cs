using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dashboard.Benchmarks.Infrastructure;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Runs;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Benchmarks.ScaleOut;

/// <param name="Postgres">Connection string of an empty database both replicas share.</param>
/// <param name="Redis">StackExchange.Redis connection string both replicas share.</param>
public sealed record FailoverOptions(string Postgres, string Redis, int Kills, TimeSpan LeaseTtl);

/// <summary>
/// Kill to take-over, measured the way an operator would see it: replica B runs in this process
/// and stays; per kill, replica A starts as its own process, starts a codegen run (so A holds the
/// run's lease and follows its stream), and once B shows the run live A gets SIGKILL. The time
/// runs from the kill to the first event of that run from its new follower, B (the
/// <see cref="RunStreamReconnected"/> it publishes as it re-attaches). The run is then cancelled
/// from B before the next kill.
/// </summary>
public static class FailoverBenchmark
{
    internal const string ProcessToken = "bench-cluster-token-0123456789abcdef";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    /// <summary>Kill to the new holder's first event, in milliseconds, one per kill.</summary>
    public static async Task<IReadOnlyList<double>> RunAsync(FailoverOptions options, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var upstream = await ScaleOutUpstream.StartAsync();
        var backend = "gen-" + Guid.NewGuid().ToString("N")[..8];
        var settings = ReplicaSettings(options.Postgres, options.Redis, options.LeaseTtl, upstream.Backend(backend));
        await using var b = new TestApp(settings) { Demo = false, QuietLogs = true };
        _ = b.BaseUrl;
        var hub = b.Services.GetRequiredService<IEventHub>();
        var runs = b.Services.GetRequiredService<RunManager>();
        var times = new List<double>();
        for (var kill = 1; kill <= options.Kills; kill++)
        {
            using var a = ReplicaProcess.Start(["--urls", "http://127.0.0.1:0", $"--Dashboard:Auth:Token={ProcessToken}", .. settings.Select(s => $"--{s.Key}={s.Value}")]);
            using var aApi = new HttpClient { BaseAddress = new Uri(await a.BaseUrlAsync(Patience)) };
            aApi.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ProcessToken);
            using var subscription = hub.Subscribe(e => e is RunEvent, capacity: 100_000);
            var id = await StartRunAsync(aApi, backend);

            // A follows the run: its stream's first stage reaches B through the shared stream.
            try
            {
                await NextAsync(subscription, e => e is RunStageReported s && s.RunId == id);
            }
            catch (OperationCanceledException)
            {
                throw new InvalidOperationException($"Run {id} started on A showed no stage on B in time. A's output:\n{a.Tail()}");
            }
            if (runs.IsFollowing(id))
            {
                throw new InvalidOperationException($"Run {id} was started on A but B follows it: nothing to fail over.");
            }

            var killed = Stopwatch.GetTimestamp();
            a.Kill();
            await NextAsync(subscription, e => e is RunStreamReconnected r && r.RunId == id);
            var milliseconds = Stopwatch.GetElapsedTime(killed).TotalMilliseconds;
            if (!runs.IsFollowing(id))
            {
                throw new InvalidOperationException($"Run {id} was re-attached, but not by B.");
            }

            times.Add(milliseconds);
            progress?.Invoke($"kill {kill}: {milliseconds:N0} ms");
            await runs.CancelAsync(id);
            await NextAsync(subscription, e => e is RunEnded ended && ended.RunId == id);
        }

        return times;
    }

    internal static Dictionary<string, string?> ReplicaSettings(string postgres, string redis, TimeSpan ttl, Dictionary<string, string?> backend)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Dashboard:Storage:Provider"] = "postgres",
            ["ConnectionStrings:Dashboard"] = postgres,
            ["Dashboard:ScaleOut:Redis"] = redis,
            ["Dashboard:ScaleOut:LeaseTtl"] = ttl.ToString("c"),
        };
        foreach (var (key, value) in backend)
        {
            settings[key] = value;
        }

        return settings;
    }

    internal static async Task<string> StartRunAsync(HttpClient api, string backend)
    {
        using var response = await api.PostAsJsonAsync("/api/runs", new { backend, prompt = "Write a failover benchmark" });
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"POST /api/runs answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("id").GetString()!;
    }

    internal static async Task<DashboardEvent> NextAsync(HubSubscription subscription, Func<DashboardEvent, bool> match)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            var next = (await subscription.Events.ReadAsync(deadline.Token)).Event;
            if (match(next))
            {
                return next;
            }
        }
    }
}

/// <summary><c>failover --postgres "Host=…;Database=…" --redis 127.0.0.1:6379 [--kills 10] [--ttl 00:00:10]</c>.</summary>
public static class FailoverCommand
{
    public static async Task<int> RunAsync(HarnessArgs args)
    {
        var postgres = args.Value("postgres");
        var redis = args.Value("redis");
        if (string.IsNullOrWhiteSpace(postgres) || string.IsNullOrWhiteSpace(redis))
        {
            Console.Error.WriteLine("failover needs --postgres \"Host=127.0.0.1;Port=5432;Database=…;Username=…\" (an empty database) and --redis 127.0.0.1:6379");
            return 2;
        }

        var ttl = TimeSpan.Parse(args.Value("ttl") ?? "00:00:10", System.Globalization.CultureInfo.InvariantCulture);
        var kills = args.Int("kills", 10);
        Console.WriteLine($"failover: {kills} kills, LeaseTtl {ttl:c}; kill -9 of the replica following a codegen run to the first event of that run from the replica that takes it over");
        var times = await FailoverBenchmark.RunAsync(new FailoverOptions(postgres, redis, kills, ttl), Console.WriteLine);
        var sorted = times.Order().ToList();
        var table = new Table("kills", "p50 ms", "max ms", "min ms", "over the TTL");
        table.Add(sorted.Count, Percentile(sorted, 0.5), sorted[^1], sorted[0], sorted.Count(t => t > ttl.TotalMilliseconds));
        Console.WriteLine(table);
        Console.WriteLine("all: " + string.Join(", ", times.Select(t => t.ToString("N0"))) + " ms");
        return 0;
    }

    /// <summary>Nearest rank, as the figures before this command were read.</summary>
    private static double Percentile(List<double> sorted, double quantile) => sorted[Math.Max(0, (int)Math.Ceiling(quantile * sorted.Count) - 1)];
}
