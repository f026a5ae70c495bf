using Dashboard.Configuration;
using Dashboard.Ingest;

namespace Dashboard.Backends.Common;

/// <summary>Following one run stream through the shared runner, the same way for every seed kind.</summary>
public static class RunStreams
{
    public static SseStreamSpec Spec(
        BackendOptions options,
        RunContext run,
        IRunStreamDecoder decoder,
        Func<StreamAttempt, CancellationToken, Task<HttpRequestMessage>> createRequest,
        bool resumeAfterDrop,
        TimeSpan defaultStallTimeout) => new()
        {
            Backend = options.Name,
            HttpClientName = BackendHttp.ClientName(options.Name),
            Decoder = decoder,
            Context = run.CreateDecodeContext(),
            CreateRequest = createRequest,
            ResumeAfterDrop = resumeAfterDrop,
            StallTimeout = options.StallTimeout ?? defaultStallTimeout,
        };

    /// <summary>Runs the stream; a failure to even build the request counts as a failed stream, not a crash.</summary>
    public static async Task<StreamOutcome> FollowAsync(this ISseStreamRunner runner, SseStreamSpec spec, CancellationToken cancellationToken)
    {
        try
        {
            return await runner.RunAsync(spec, cancellationToken);
        }
        catch (Exception e) when (RunFinish.IsUpstreamFailure(e, cancellationToken))
        {
            return new StreamOutcome(StreamEnd.Failed, RunFinish.Describe(e));
        }
    }
}
