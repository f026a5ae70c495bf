using Dashboard.Domain;
using System.Text.Json;
using Dashboard.Backends.Common;
using Dashboard.Configuration;
using Dashboard.Ingest;

namespace Dashboard.Backends.Jobs;

/// <summary>
/// Background jobs (PROTOCOLS.md §5): <c>POST /jobs</c> → <c>job_id</c>, then the progress stream
/// <c>GET /jobs/{id}/progress</c>. The job takes no input, so the prompt is only the run's label.
/// </summary>
public sealed class JobsClient(BackendOptions options, IHttpClientFactory http, ISseStreamRunner runner) : IBackendClient
{
    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromSeconds(60);

    public BackendOptions Options { get; } = options;

    public IReadOnlyList<RunOptionField> RunOptions => [];

    public IReadOnlyList<FieldError> ValidateRun(RunRequest request) => [];

    public async Task RunAsync(RunContext run, CancellationToken cancellationToken)
    {
        string id;
        try
        {
            using var response = await http.CreateClient(Options).SendAsync(Options.NewRequest(HttpMethod.Post, "jobs"), cancellationToken);
            await response.EnsureSuccessAsync(cancellationToken);
            using var doc = JsonDocument.Parse(await response.ReadBodyAsync(cancellationToken));
            id = JsonFields.String(JsonFields.RequireObject(doc.RootElement), "job_id") ?? throw new JsonException("Job answer without job_id.");
        }
        catch (Exception e) when (RunFinish.IsUpstreamFailure(e, cancellationToken))
        {
            run.Fail("start", RunFinish.Describe(e));
            return;
        }

        run.AssignUpstreamId(id);
        var decoder = new JobsDecoder();
        // Progress is state on the server, so a dropped stream can simply be opened again.
        var spec = RunStreams.Spec(Options, run, decoder,
            (_, _) => Task.FromResult(Options.NewRequest(HttpMethod.Get, $"jobs/{Uri.EscapeDataString(id)}/progress")),
            resumeAfterDrop: true, DefaultStallTimeout);
        run.EndFromStream(await runner.FollowAsync(spec, cancellationToken), decoder, cancellationToken);
    }

    public Task CancelAsync(RunContext run, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task RunAlwaysOnAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
