using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Dashboard.Backends.Common;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Security;

namespace Dashboard.Backends.Llm;

/// <summary>
/// One POST that answers with an SSE stream, followed to its end. A dropped answer is never
/// re-posted (that would run and bill the prompt again); only refusals before the first byte
/// (429/5xx) are retried, as the vendors' SDKs do. Cancelling the token aborts the request.
/// </summary>
public abstract class LlmBackendClient(BackendOptions options, ISseStreamRunner runner)
    : StreamedRunClient<LlmDecoder>(options, runner)
{
    /// <summary>Named HttpClient the runner uses for every LLM kind.</summary>
    public const string HttpClientName = "Dashboard.Llm";

    public const string ConnectionLost = "connection lost before the end of the answer";

    /// <summary>First try plus two retries of a 429/5xx refusal, like the OpenAI and Anthropic SDKs.</summary>
    private const int MaxAttempts = 3;

    /// <summary>Reasoning models can think for minutes before a chat stream says anything.</summary>
    private static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromMinutes(10);

    protected override TimeSpan DefaultStall => DefaultStallTimeout;

    /// <summary>Path under the base URL, e.g. "chat/completions".</summary>
    protected abstract string Path { get; }

    protected abstract string BaseUrl { get; }

    public override IReadOnlyList<FieldError> ValidateRun(RunRequest request) => LlmRunOptions.Validate(request, RunOptions);

    /// <summary>The request body; <paramref name="request"/> has passed <see cref="ValidateRun"/>.</summary>
    protected abstract JsonObject CreateBody(RunRequest request);

    /// <summary>Credentials and dialect headers (Bearer, or x-api-key + anthropic-version).</summary>
    protected abstract void AddAuthentication(HttpRequestHeaders headers);

    protected override SseStreamSpec DescribeStream(RunContext run, LlmDecoder decoder, DecodeContext context)
    {
        var url = UpstreamUrl.Join(BaseUrl, Path);
        var body = CreateBody(run.Request).ToJsonString();
        return Stream(decoder, context, resumeAfterDrop: false, (attempt, _) =>
        {
            decoder.Timeline.RequestSent(context, attempt.Number);
            return Task.FromResult(CreateRequest(url, body));
        }) with
        {
            HttpClientName = HttpClientName,
            Lifetime = StreamLifetime.Run,
            MaxAttempts = MaxAttempts,
            OnConnectedAsync = _ =>
            {
                decoder.Timeline.Connected(context);
                return Task.CompletedTask;
            },
        };
    }

    protected override void OnCancelled(LlmDecoder decoder, DecodeContext context) => decoder.Timeline.Cancelled(context);

    protected override Task EndWithoutOutcomeAsync(RunContext run, LlmDecoder decoder, DecodeContext context, StreamOutcome outcome, CancellationToken cancellationToken)
    {
        switch (outcome.End)
        {
            case StreamEnd.Cancelled:
                // Stopped from elsewhere (app shutdown): nobody else will report it.
                decoder.Timeline.Cancelled(context);
                run.End(RunStatus.Cancelled);
                break;
            case StreamEnd.EndedWithoutTerminal:
                // A trickle that never completes an event is a stall, not a lost connection: say which.
                Fail(run, decoder, context, outcome.Stalled ? outcome.Error ?? ConnectionLost : ConnectionLost);
                break;
            default:
                var reason = outcome.HttpStatus is not null || outcome.ErrorBody is not null
                    ? UpstreamError.Describe(outcome.HttpStatus, outcome.ErrorBody)
                    : outcome.Error ?? "could not reach the upstream";
                Fail(run, decoder, context, reason);
                break;
        }

        return Task.CompletedTask;
    }

    private void Fail(RunContext run, LlmDecoder decoder, DecodeContext context, string reason)
    {
        decoder.Fail(context, reason);
        run.End(RunStatus.Failed, decoder.Failure ?? reason);
    }

    private HttpRequestMessage CreateRequest(Uri url, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        AddAuthentication(request.Headers);

        // Configured headers win over the defaults (a newer anthropic-version, a beta flag, a proxy key).
        foreach (var (name, value) in Options.Headers)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }
}
