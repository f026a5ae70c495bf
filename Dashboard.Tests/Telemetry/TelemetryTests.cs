using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Ingest.Monitoring;
using Dashboard.Testing;
using Dashboard.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Telemetry;

/// <summary>
/// The dashboard's own telemetry on the real app: Prometheus text after a known stream and a known
/// run, the token rule of /metrics, and a run's span arriving at an OTLP/HTTP receiver.
/// </summary>
public sealed partial class TelemetryTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Metrics_after_a_known_stream_and_a_known_run_have_the_right_counts()
    {
        var streamed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await LoopbackUpstream.StartAsync(app =>
        {
            app.MapGet("/stream", async (HttpContext context) =>
            {
                await LoopbackUpstream.BeginStreamAsync(context);
                await LoopbackUpstream.WriteAsync(context, string.Concat(Enumerable.Range(1, 5).Select(i => $"id: {i}\ndata: event {i}\n\n")));
                streamed.TrySetResult();
                await LoopbackUpstream.HoldOpenAsync(context);
            });
            app.MapPost("/v1/chat/completions", async (HttpContext context) =>
            {
                // One malformed chunk before the recorded answer: one decode error, the run still completes.
                LoopbackUpstream.StartEventStream(context);
                await context.Response.WriteAsync("data: {\"choices\":[{\"delta\":{\"content\":\n\n");
                await context.Response.Body.WriteAsync(Fixtures.Bytes("openai-chat.sse"));
            });
        });
        using var server = new TestApp(new Dictionary<string, string?>
        {
            ["Dashboard:Telemetry:Prometheus"] = "true",
            ["Dashboard:Backends:0:Name"] = "raw",
            ["Dashboard:Backends:0:Kind"] = "sse",
            ["Dashboard:Backends:0:Url"] = upstream.BaseUrl + "stream",
            ["Dashboard:Backends:1:Name"] = "gpt",
            ["Dashboard:Backends:1:Kind"] = "openai-chat",
            ["Dashboard:Backends:1:BaseUrl"] = upstream.BaseUrl + "v1",
            ["Dashboard:Backends:1:ApiKey"] = "sk-test-key",
            ["Dashboard:Backends:1:Model"] = "gpt-4o-mini",
        }) { Demo = false };
        using var client = server.CreateApiClient();
        await streamed.Task.WaitAsync(Patience);
        var runId = await StartRunAsync(client, "gpt", "Say hello");
        Assert.Equal(RunStatus.Completed, await WaitForEndAsync(server, runId));
        await WaitForEventsAsync(server, "raw", 5);

        using var anonymous = server.CreateApiClient(authorized: false);
        using var refused = await anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        // The run's end is counted on the publishing thread just after the hub has taken the event,
        // so a reader woken by the hub can scrape a moment before the count: scrape until it is there.
        var metrics = await client.GetStringAsync("/metrics");
        for (var deadline = DateTime.UtcNow + Patience; Samples(metrics, "dashboard_runs_total", ("backend", "gpt"), ("status", "completed")).Sum() < 1 && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(20);
            metrics = await client.GetStringAsync("/metrics");
        }

        var chatItems = Fixtures.Items("openai-chat.sse").Count + 1;
        Assert.Equal(5, Value(metrics, "dashboard_ingest_events_total", ("backend", "raw")));
        Assert.Equal(chatItems, Value(metrics, "dashboard_ingest_events_total", ("backend", "gpt")));
        Assert.Equal(1, Value(metrics, "dashboard_ingest_decode_errors_total", ("backend", "gpt")));
        Assert.Equal(0, Value(metrics, "dashboard_ingest_decode_errors_total", ("backend", "raw")));
        Assert.Equal(0, Value(metrics, "dashboard_ingest_reconnects_total", ("backend", "raw")));
        Assert.Equal(1, Value(metrics, "dashboard_runs_total", ("backend", "gpt"), ("status", "completed")));
        Assert.Equal(1, Value(metrics, "dashboard_backend_state", ("backend", "raw"), ("state", "connected")));
        Assert.Equal(0, Value(metrics, "dashboard_backend_state", ("backend", "raw"), ("state", "failed")));
        Assert.True(Value(metrics, "dashboard_hub_published_total") >= chatItems, metrics);
        Assert.Equal(0, Value(metrics, "dashboard_hub_dropped_total"));
        Assert.Equal(0, Value(metrics, "dashboard_store_lag"));
        Assert.Equal(0, Value(metrics, "dashboard_circuits"));
    }

    [Fact]
    public async Task Metrics_can_be_opened_to_anonymous_scrapers_and_are_absent_when_off()
    {
        using (var open = new TestApp(new Dictionary<string, string?>
        {
            ["Dashboard:Telemetry:Prometheus"] = "true",
            ["Dashboard:Telemetry:PrometheusAnonymous"] = "true",
        }) { Demo = false })
        {
            using var anonymous = open.CreateApiClient(authorized: false);
            using var response = await anonymous.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("dashboard_hub_published_total", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var off = new TestApp(new Dictionary<string, string?>()) { Demo = false };
        using var client = off.CreateApiClient();
        using var missing = await client.GetAsync("/metrics");
        Assert.DoesNotContain("dashboard_hub_published", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_take_the_read_token_and_refuse_no_token_or_a_wrong_one()
    {
        const string ReadToken = "scraper-read-token-0123456789";
        using var server = new TestApp(new Dictionary<string, string?>
        {
            ["Dashboard:Telemetry:Prometheus"] = "true",
            ["Dashboard:Auth:ReadToken"] = ReadToken,
        }) { Demo = false };

        async Task<HttpResponseMessage> ScrapeAsync(string? token)
        {
            using var client = server.CreateApiClient(authorized: false);
            if (token is not null)
            {
                client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            }

            return await client.GetAsync("/metrics");
        }

        using var withReadToken = await ScrapeAsync(ReadToken);
        Assert.Equal(HttpStatusCode.OK, withReadToken.StatusCode);
        Assert.Contains("dashboard_hub_published_total", await withReadToken.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var none = await ScrapeAsync(null);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        using var wrong = await ScrapeAsync(ReadToken + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.DoesNotContain("dashboard_hub_published", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Control: the read token is refused where it must be (starting a run), so it was not simply ignored.
        using var client = server.CreateApiClient(authorized: false);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ReadToken);
        using var start = await client.PostAsJsonAsync("/api/runs", new { backend = "none", prompt = "x" });
        Assert.Equal(HttpStatusCode.Forbidden, start.StatusCode);
    }

    [Fact]
    public async Task A_run_reaches_an_otlp_receiver_as_one_span_with_its_stages_and_usage()
    {
        var exports = Channel.CreateUnbounded<byte[]>();
        await using var receiver = await LoopbackUpstream.StartAsync(app =>
        {
            app.MapPost("/v1/traces", async (HttpContext context) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                exports.Writer.TryWrite(body.ToArray());
                context.Response.ContentType = "application/x-protobuf";
            });
            app.MapPost("/v1/metrics", (HttpContext context) => context.Response.ContentType = "application/x-protobuf");
            app.MapPost("/v1/chat/completions", (HttpContext context) => LoopbackUpstream.FixtureAsync(context, "openai-chat.sse"));
        });
        using var server = new TestApp(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.BaseUrl.TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["Dashboard:Backends:0:Name"] = "gpt",
            ["Dashboard:Backends:0:Kind"] = "openai-chat",
            ["Dashboard:Backends:0:BaseUrl"] = receiver.BaseUrl + "v1",
            ["Dashboard:Backends:0:ApiKey"] = "sk-test-key",
            ["Dashboard:Backends:0:Model"] = "gpt-4o-mini",
        }) { Demo = false };
        using var client = server.CreateApiClient();

        var runId = await StartRunAsync(client, "gpt", "Say hello");
        Assert.Equal(RunStatus.Completed, await WaitForEndAsync(server, runId));

        using var cts = new CancellationTokenSource(Patience);
        OtlpSpan? span = null;
        while (span is null)
        {
            var export = await exports.Reader.ReadAsync(cts.Token);
            span = OtlpSpans.Read(export).FirstOrDefault(s => Equals(s.Attributes.GetValueOrDefault("dashboard.run.id"), runId));
        }

        Assert.Equal("run gpt", span.Name);
        Assert.Equal("gpt", span.Attributes["dashboard.backend"]);
        Assert.Equal("completed", span.Attributes["dashboard.run.status"]);
        Assert.Equal(31L, span.Attributes["gen_ai.usage.input_tokens"]);
        Assert.Equal(14L, span.Attributes["gen_ai.usage.output_tokens"]);
        Assert.Equal(1, span.StatusCode);

        using var run = JsonDocument.Parse(await client.GetStringAsync($"/api/runs/{runId}"));
        var stages = run.RootElement.GetProperty("timeline").EnumerateArray().Select(t => t.GetProperty("stage").GetString()!).ToList();
        Assert.NotEmpty(stages);
        Assert.Equal(stages, span.Events);
    }

    private static async Task<string> StartRunAsync(HttpClient client, string backend, string prompt)
    {
        using var response = await client.PostAsJsonAsync("/api/runs", new { backend, prompt });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>The run's final status as the app's own state sees it (subscribed before reading: nothing missed).</summary>
    private static async Task<RunStatus> WaitForEndAsync(TestApp server, string runId)
    {
        var hub = server.Services.GetRequiredService<IEventHub>();
        using var ended = hub.Subscribe(e => e is RunEnded r && r.RunId == runId);
        using var cts = new CancellationTokenSource(Patience);
        while (hub.State.GetRun(runId) is not { } run || !run.Status.IsTerminal())
        {
            await ended.Events.ReadAsync(cts.Token);
        }

        return hub.State.GetRun(runId)!.Status;
    }

    private static async Task WaitForEventsAsync(TestApp server, string backend, long count)
    {
        var hub = server.Services.GetRequiredService<IEventHub>();
        var monitors = server.Services.GetRequiredService<BackendMonitors>();
        using var changes = hub.Subscribe(e => e is BackendHealthChanged h && h.Health.Name == backend);
        using var cts = new CancellationTokenSource(Patience);
        while (monitors.For(backend).Health.EventsReceived < count)
        {
            await changes.Events.ReadAsync(cts.Token);
        }
    }

    /// <summary>The value of the one sample of <paramref name="name"/> whose labels include <paramref name="labels"/>.</summary>
    private static double Value(string metrics, string name, params (string Key, string Value)[] labels)
    {
        var samples = Samples(metrics, name, labels);
        Assert.True(samples.Count == 1, $"{name} {string.Join(",", labels)}: {samples.Count} samples in\n{metrics}");
        return samples[0];
    }

    /// <summary>The values of every sample of <paramref name="name"/> whose labels include <paramref name="labels"/>.</summary>
    private static List<double> Samples(string metrics, string name, params (string Key, string Value)[] labels) =>
        [.. metrics.Split('\n')
            .Select(line => Sample().Match(line))
            .Where(m => m.Success && m.Groups["name"].Value == name)
            .Where(m => labels.All(l => m.Groups["labels"].Value.Contains($"{l.Key}=\"{l.Value}\"", StringComparison.Ordinal)))
            .Select(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture))];

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)")]
    private static partial Regex Sample();
}
