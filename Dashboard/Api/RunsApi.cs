using Dashboard.Backends;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Runs;
using Dashboard.Security;
using Dashboard.State;

namespace Dashboard.Api;

/// <summary>GET/POST /api/runs, GET /api/runs/{id}, POST /api/runs/{id}/cancel.</summary>
internal static class RunsApi
{
    public static IResult Get(string id, IDashboardState state, SecretRedactor redactor) =>
        state.GetRun(id) is { } run
            ? TypedResults.Ok(ToDto(run, redactor))
            : UnknownRun(id);

    public static async Task<IResult> StartAsync(HttpContext http, IRunLauncher runs, BackendCatalog catalog, CancellationToken cancellationToken)
    {
        RunRequestBody.Result body;
        try
        {
            body = await RunRequestBody.ReadAsync(http.Request, ApiEndpoints.MaxBodyBytes, cancellationToken);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            body = RunRequestBody.Result.TooLarge;
        }

        if (body.IsTooLarge)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status413PayloadTooLarge,
                title: "Request body too large",
                detail: $"The API accepts bodies up to {ApiEndpoints.MaxBodyBytes} bytes.");
        }

        if (body.Request is not { } request)
        {
            return TypedResults.ValidationProblem(body.Errors!);
        }

        await catalog.WaitReadyAsync(BackendsApi.CatalogWait, cancellationToken);
        var result = await runs.StartAsync(request, cancellationToken);
        return result.Outcome switch
        {
            StartRunOutcome.Started => TypedResults.Accepted($"/api/runs/{result.RunId}", new StartedRunDto(result.RunId!)),
            StartRunOutcome.UnknownBackend => Problem(StatusCodes.Status404NotFound, "Unknown backend", result.Errors),
            StartRunOutcome.TooManyRuns => TooManyRuns(http, result.Errors),
            _ => TypedResults.ValidationProblem(Group(result.Errors)),
        };
    }

    public static async Task<IResult> CancelAsync(string id, IRunLauncher runs, IDashboardState state)
    {
        // Not the request's token: a client that hangs up must not abort the upstream cancel
        // (the launcher bounds it with its own timeout).
        if (await runs.CancelAsync(id, CancellationToken.None))
        {
            return TypedResults.Accepted($"/api/runs/{id}", new StartedRunDto(id));
        }

        return state.GetRun(id) is { } run
            ? TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Run not in flight",
                detail: $"Run {id} is {run.Status.ToString().ToLowerInvariant()}; only a run in flight can be cancelled.")
            : UnknownRun(id);
    }

    /// <summary>How long a client refused for too many runs should wait: a guess (runs end at their own pace), but a polite one.</summary>
    public static readonly TimeSpan TooManyRunsRetryAfter = TimeSpan.FromSeconds(10);

    private static IResult TooManyRuns(HttpContext http, IReadOnlyList<FieldError> errors)
    {
        http.Response.Headers.RetryAfter = FailedAuthLimiter.RetryAfterSeconds(TooManyRunsRetryAfter);
        return Problem(StatusCodes.Status429TooManyRequests, "Too many runs", errors);
    }

    private static IResult UnknownRun(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown run", detail: $"No run has id \"{id}\".");

    private static IResult Problem(int status, string title, IReadOnlyList<FieldError> errors) =>
        TypedResults.Problem(
            statusCode: status,
            title: title,
            detail: string.Join(" ", errors.Where(e => e.Field == RunFields.Backend).Select(e => e.Message)),
            extensions: new Dictionary<string, object?> { ["errors"] = Group(errors) });

    private static Dictionary<string, string[]> Group(IReadOnlyList<FieldError> errors) =>
        errors.GroupBy(e => e.Field, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray(), StringComparer.Ordinal);

    /// <summary>The full run (GET /api/runs/{id}, the JSON export).</summary>
    public static RunDto ToDto(RunView r, SecretRedactor redactor) => new(
        r.Id,
        r.Backend,
        r.Prompt,
        r.Status,
        r.Stage,
        r.Progress,
        r.StartedAt,
        r.EndedAt,
        [.. r.Timeline.Select(t => new TimelineEntryDto(t.Stage, t.Status, t.Message is null ? null : redactor.Redact(t.Message), t.Progress, t.At))],
        r.Text.ToString(),
        r.Usage is { } u ? new UsageDto(u.InputTokens, u.OutputTokens, u.TotalTokens) : null,
        r.Error is null ? null : redactor.Redact(r.Error),
        r.ParentRunId,
        r.UpstreamId,
        r.Options,
        r.Thinking.ToString(),
        [.. r.ToolCalls.Select(t => new ToolCallDto(t.Id, t.Name, t.Arguments, t.Status, t.Detail))],
        r.Metadata,
        r.Text.Truncated,
        r.TimelineTruncated,
        r.ValuesCut,
        r.ValuesDropped);
}
