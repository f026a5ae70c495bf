using Dashboard.Backends.Common;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Backends.PlainChat;

/// <summary>
/// Simple chat (PROTOCOLS.md §4 "Simple"): <c>GET /chat?prompt=…</c> streams <c>{"content"}</c>
/// deltas. The dashboard adds the start and done stages the upstream does not send. A dropped
/// stream is not reopened: the GET would generate a new answer.
/// </summary>
public sealed class PlainChatClient(BackendOptions options, ISseStreamRunner runner) : IBackendClient
{
    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromSeconds(60);

    public BackendOptions Options { get; } = options;

    public IReadOnlyList<RunOptionField> RunOptions => [];

    public IReadOnlyList<FieldError> ValidateRun(RunRequest request) =>
        string.IsNullOrWhiteSpace(request.Prompt) ? [new FieldError("prompt", "The prompt is required.")] : [];

    public async Task RunAsync(RunContext run, CancellationToken cancellationToken)
    {
        var decoder = new PlainChatDecoder();
        run.Stage("start", StageStatus.Running, "GET /chat");
        var spec = RunStreams.Spec(Options, run, decoder,
            (_, _) => Task.FromResult(Options.NewRequest(HttpMethod.Get, $"chat?prompt={Uri.EscapeDataString(run.Request.Prompt)}")),
            resumeAfterDrop: false, DefaultStallTimeout);
        var outcome = await runner.FollowAsync(spec, cancellationToken);
        if (decoder.Outcome?.Status == RunStatus.Completed)
        {
            run.Stage("done", StageStatus.Completed);
        }

        run.EndFromStream(outcome, decoder, cancellationToken);
    }

    public Task CancelAsync(RunContext run, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task RunAlwaysOnAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
