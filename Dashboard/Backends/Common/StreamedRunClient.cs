using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Backends.Common;

/// <summary>
/// The one way a run kind is written when its run is followed on an SSE stream: optionally create
/// the run upstream (<see cref="StartAsync"/>), follow one stream through the shared runner, then
/// end the run exactly once, from the decoder's terminal outcome or, when the stream stopped
/// without one, from <see cref="EndWithoutOutcomeAsync"/>. A kind writes only what differs: its
/// request, its decoder and, when it has one, its own way to settle a stream that broke off.
/// </summary>
public abstract class StreamedRunClient<TDecoder>(BackendOptions options, ISseStreamRunner runner) : IRunClient
    where TDecoder : IRunStreamDecoder
{
    public BackendOptions Options { get; } = options;

    public virtual IReadOnlyList<RunOptionField> RunOptions => [];

    /// <summary>How long the stream may say nothing before it counts as stalled, unless configured.</summary>
    protected abstract TimeSpan DefaultStall { get; }

    public virtual IReadOnlyList<FieldError> ValidateRun(RunRequest request) => [];

    public async Task RunAsync(RunContext run, CancellationToken cancellationToken)
    {
        if (Refuse(run) is { } refusal)
        {
            run.Fail("start", refusal);
            return;
        }

        string? upstreamId;
        try
        {
            upstreamId = await StartAsync(run, cancellationToken);
        }
        catch (Exception e) when (RunFinish.IsUpstreamFailure(e, cancellationToken))
        {
            run.Fail("start", RunFinish.Describe(e));
            return;
        }

        if (upstreamId is not null)
        {
            run.AssignUpstreamId(upstreamId);
        }

        await FollowAsync(run, cancellationToken);
    }

    /// <summary>Why this run cannot start, before anything is sent; null when it can.</summary>
    protected virtual string? Refuse(RunContext run) => null;

    /// <summary>
    /// Creates the run upstream when the stream itself does not, and returns the upstream's id
    /// (null: opening the stream is what starts the run). An upstream failure ends the run failed
    /// at stage <c>start</c>.
    /// </summary>
    protected virtual Task<string?> StartAsync(RunContext run, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    protected abstract TDecoder CreateDecoder();

    /// <summary>The run's stream; <see cref="Stream"/> gives the usual defaults to start from.</summary>
    protected abstract SseStreamSpec DescribeStream(RunContext run, TDecoder decoder, DecodeContext context);

    /// <summary>
    /// A stream spec on the backend's named HttpClient with the configured or default stall timeout.
    /// <paramref name="resumeAfterDrop"/>: may a dropped stream be opened again? Only when the
    /// upstream keeps the run's state; re-sending a request that generates would run it twice.
    /// </summary>
    protected SseStreamSpec Stream(TDecoder decoder, DecodeContext context, bool resumeAfterDrop, Func<StreamAttempt, CancellationToken, Task<HttpRequestMessage>> createRequest) => new()
    {
        ResumeAfterDrop = resumeAfterDrop,
        Backend = Options.Name,
        HttpClientName = BackendHttp.ClientName(Options.Name),
        Decoder = decoder,
        Context = context,
        CreateRequest = createRequest,
        StallTimeout = Options.StallTimeout ?? DefaultStall,
    };

    /// <summary>Just before the run ends with the decoder's outcome (e.g. a closing stage the upstream does not send).</summary>
    protected virtual void OnEnding(RunContext run, RunOutcome outcome)
    {
    }

    /// <summary>The run was cancelled while its stream was followed (the caller reports the end).</summary>
    protected virtual void OnCancelled(TDecoder decoder, DecodeContext context)
    {
    }

    /// <summary>The stream stopped without a terminal event: by default the run fails saying why.</summary>
    protected virtual Task EndWithoutOutcomeAsync(RunContext run, TDecoder decoder, DecodeContext context, StreamOutcome outcome, CancellationToken cancellationToken)
    {
        run.FailUnsettled("stream", RunFinish.Describe(outcome));
        return Task.CompletedTask;
    }

    /// <summary>Follows a run whose upstream id is already known (for <see cref="IRunReattach"/>).</summary>
    protected Task ReattachCoreAsync(RunContext run, CancellationToken cancellationToken) =>
        run.UpstreamId is null
            ? throw new InvalidOperationException($"Run {run.RunId} has no upstream id to follow.")
            : FollowAsync(run, cancellationToken);

    private async Task FollowAsync(RunContext run, CancellationToken cancellationToken)
    {
        var decoder = CreateDecoder();
        var context = run.CreateDecodeContext();
        StreamOutcome outcome;
        try
        {
            outcome = await runner.RunAsync(DescribeStream(run, decoder, context), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            OnCancelled(decoder, context);
            throw;
        }
        catch (Exception e) when (RunFinish.IsUpstreamFailure(e, cancellationToken))
        {
            // Even building the request failed (a token call, say): a failed stream, not a crash.
            outcome = new StreamOutcome(StreamEnd.Failed, RunFinish.Describe(e));
        }

        if (cancellationToken.IsCancellationRequested)
        {
            OnCancelled(decoder, context);
            cancellationToken.ThrowIfCancellationRequested();
        }

        if (decoder.Outcome is { } result)
        {
            OnEnding(run, result);
            run.End(result.Status, result.Error);
            return;
        }

        await EndWithoutOutcomeAsync(run, decoder, context, outcome, cancellationToken);
    }
}
