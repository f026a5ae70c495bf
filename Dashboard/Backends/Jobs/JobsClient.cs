using System.Text.Json;
using Dashboard.Backends.Common;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Backends.Jobs;

/// <summary>
/// Background jobs: <c>POST /jobs</c> answers <c>{"job_id"}</c>, then <c>GET /jobs/{id}/progress</c>
/// streams the job's progress (see docs/protocols.md). The job takes no input, so the prompt is
/// only the run's label.
/// </summary>
public sealed class JobsClient(BackendOptions options, IHttpClientFactory http, ISseStreamRunner runner)
    : StreamedRunClient<JobsDecoder>(options, runner), IRunReattach
{
    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromSeconds(60);

    protected override TimeSpan DefaultStall => DefaultStallTimeout;

    public Task ReattachAsync(RunContext run, CancellationToken cancellationToken) => ReattachCoreAsync(run, cancellationToken);

    protected override async Task<string?> StartAsync(RunContext run, CancellationToken cancellationToken)
    {
        using var response = await http.CreateClient(Options).SendAsync(Options.NewRequest(HttpMethod.Post, "jobs"), cancellationToken);
        await response.EnsureSuccessAsync(cancellationToken);
        using var doc = JsonDocument.Parse(await response.ReadBodyAsync(cancellationToken));
        return JsonFields.String(JsonFields.RequireObject(doc.RootElement), "job_id") ?? throw new JsonException("Job answer without job_id.");
    }

    protected override JobsDecoder CreateDecoder() => new();

    // Progress is state on the server, so a dropped stream can simply be opened again.
    protected override SseStreamSpec DescribeStream(RunContext run, JobsDecoder decoder, DecodeContext context) =>
        Stream(decoder, context, resumeAfterDrop: true,
            (_, _) => Task.FromResult(Options.NewRequest(HttpMethod.Get, $"jobs/{Uri.EscapeDataString(run.UpstreamId!)}/progress")));
}
