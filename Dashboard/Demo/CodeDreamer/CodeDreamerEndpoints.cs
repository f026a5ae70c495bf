using System.Globalization;

namespace Dashboard.Demo.CodeDreamer;

/// <summary>The demo CodeDreamer: graph stats over SSE, a snapshot, health and on-demand dreams.</summary>
public static class CodeDreamerEndpoints
{
    private static readonly string[] Categories = ["insight", "connection", "hypothesis", "pattern", "question"];

    private static readonly string[] DreamLines =
    [
        "What if {0} were modelled as a graph of small, composable facts instead of one document?",
        "{0} and caching share a shape: both trade freshness for speed, and both need an owner.",
        "A pattern keeps recurring around {0}: the boundary is where most of the bugs live.",
        "Perhaps {0} needs fewer features and better defaults.",
        "{0} reminds me of retries with backoff: patience, bounded.",
    ];

    public static void Map(IEndpointRouteBuilder group)
    {
        group.MapGet("/events", StreamEventsAsync);
        group.MapGet("/graph/stats", (DemoGraph graph) => DemoSse.Json(CodeDreamerJson.Stats(graph.Snapshot())));
        group.MapGet("/health", (DemoGraph graph, DreamActivity activity) =>
            DemoSse.Json(CodeDreamerJson.Health(graph.Snapshot(), activity.Active, activity.NextDreamSeconds())));
        group.MapPost("/dream", DreamAsync);
    }

    /// <summary>Checks every 2 s and sends only when the node count changed, like the real server.</summary>
    private static async Task StreamEventsAsync(HttpContext context, DemoGraph graph, DemoRuntime runtime)
    {
        using var stream = runtime.Follow(context.RequestAborted);
        var aborted = stream.Token;
        var lastCount = 0;
        try
        {
            await DemoSse.StartAsync(context.Response, aborted);
            while (!aborted.IsCancellationRequested)
            {
                var snapshot = graph.Snapshot();
                if (snapshot.Nodes != lastCount)
                {
                    lastCount = snapshot.Nodes;
                    await DemoSse.WriteDataAsync(context.Response, CodeDreamerJson.Update(snapshot), aborted);
                }

                await runtime.DelaySecondsAsync(2, aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away or the app is stopping; the stream simply ends.
        }
    }

    private static async Task<IResult> DreamAsync(HttpContext context, DemoGraph graph, DemoRuntime runtime, DreamActivity activity)
    {
        var body = await DemoRequestBody.ReadAsync(context.Request, allowEmpty: true, context.RequestAborted);
        if (body.Error is not null)
        {
            return body.Error;
        }

        var seed = body.GetString("seed_text", out var error);
        var temperature = error is null ? body.GetNumber("temperature", out error) : null;
        if (error is not null)
        {
            return error;
        }

        var random = runtime.NextRandom(stream: 2);
        using (activity.Begin())
        {
            // A dream is one synchronous LLM call upstream: a few seconds.
            await runtime.DelaySecondsAsync(2 + random.NextDouble() * 3, context.RequestAborted);
        }

        graph.AddDream();
        var subject = string.IsNullOrWhiteSpace(seed) ? "the knowledge graph" : seed.Trim();
        var content = string.Format(CultureInfo.InvariantCulture, DreamLines[random.Next(DreamLines.Length)], subject);
        var novelty = Math.Round(Math.Clamp(0.35 + random.NextDouble() * 0.5 + ((temperature ?? 0.9) - 0.9) * 0.2, 0, 1), 3);
        var timestamp = runtime.Time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
        return DemoSse.Json(CodeDreamerJson.Dream(content, Categories[random.Next(Categories.Length)], novelty, timestamp));
    }
}
