using Dashboard.Backends.Common;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Backends.PlainChat;

/// <summary>
/// Simple chat: <c>GET /chat?prompt=…</c> streams <c>{"content"}</c> deltas (see docs/protocols.md).
/// The dashboard adds the start and done stages the upstream does not send. A dropped stream is
/// not reopened: the GET would generate a new answer.
/// </summary>
public sealed class PlainChatClient(BackendOptions options, ISseStreamRunner runner)
    : StreamedRunClient<PlainChatDecoder>(options, runner)
{
    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromSeconds(60);

    protected override TimeSpan DefaultStall => DefaultStallTimeout;

    public override IReadOnlyList<FieldError> ValidateRun(RunRequest request) =>
        string.IsNullOrWhiteSpace(request.Prompt) ? [new FieldError("prompt", "The prompt is required.")] : [];

    protected override Task<string?> StartAsync(RunContext run, CancellationToken cancellationToken)
    {
        run.Stage("start", StageStatus.Running, "GET /chat");
        return Task.FromResult<string?>(null);
    }

    protected override PlainChatDecoder CreateDecoder() => new();

    protected override SseStreamSpec DescribeStream(RunContext run, PlainChatDecoder decoder, DecodeContext context) =>
        Stream(decoder, context, resumeAfterDrop: false,
            (_, _) => Task.FromResult(Options.NewRequest(HttpMethod.Get, $"chat?prompt={Uri.EscapeDataString(run.Request.Prompt)}")));

    protected override void OnEnding(RunContext run, RunOutcome outcome)
    {
        if (outcome.Status == RunStatus.Completed)
        {
            run.Stage("done", StageStatus.Completed);
        }
    }
}
