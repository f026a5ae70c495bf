using Dashboard.Domain;
using Dashboard.Security;
using Dashboard.State;
using Dashboard.Storage;

namespace Dashboard.Api;

/// <summary>GET /api/runs (summaries, paged), DELETE /api/runs/{id}, POST/DELETE /api/runs/{id}/pin, GET /api/runs/{id}/export.</summary>
internal static class RunHistoryApi
{
    public static async Task<IResult> ListAsync(HttpContext http, RunHistory history, IDashboardState state, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        var (query, errors) = RunListQuery.Parse(http.Request.Query, state);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var page = await history.QueryAsync(query, cancellationToken);
        if (page.Next is { } next)
        {
            var parameters = http.Request.Query
                .Where(p => !string.Equals(p.Key, "before", StringComparison.OrdinalIgnoreCase))
                .SelectMany(p => p.Value.Select(v => KeyValuePair.Create(p.Key, v)))
                .Append(KeyValuePair.Create("before", (string?)RunCursorCodec.Encode(next)));
            http.Response.Headers.Link = $"<{http.Request.PathBase}{http.Request.Path}{QueryString.Create(parameters)}>; rel=\"next\"";
        }

        return TypedResults.Ok(page.Items.Select(i => ToSummary(i, redactor)).ToList());
    }

    public static async Task<IResult> DeleteAsync(string id, DashboardState state, IHistoryStore store, CancellationToken cancellationToken)
    {
        if (state.GetLiveRun(id) is { } live && !live.Status.IsTerminal())
        {
            return InFlight(id, live.Status);
        }

        await store.CatchUpAsync(cancellationToken: cancellationToken);
        // The store first: when its database is away this throws (503) before memory forgets the run.
        var stored = store.DeleteRun(id);
        var inMemory = state.Forget(id);
        return inMemory || stored ? TypedResults.NoContent() : UnknownRun(id);
    }

    /// <summary>DELETE /api/runs: clear history (ended runs that are not pinned); runs in flight stay.</summary>
    public static async Task<IResult> ClearAsync(RunHistory history, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ClearedDto(await history.ClearAsync(cancellationToken)));

    public static async Task<IResult> PinAsync(string id, IHistoryStore store, IDashboardState state, CancellationToken cancellationToken) =>
        await SetPinnedAsync(id, true, store, state, cancellationToken);

    public static async Task<IResult> UnpinAsync(string id, IHistoryStore store, IDashboardState state, CancellationToken cancellationToken) =>
        await SetPinnedAsync(id, false, store, state, cancellationToken);

    public static IResult Export(string id, string? format, IDashboardState state, SecretRedactor redactor, Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    {
        if (format is not (null or "json" or "md"))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["format"] = ["format must be json (default) or md."] });
        }

        if (state.GetRun(id) is not { } run)
        {
            return UnknownRun(id);
        }

        var dto = RunsApi.ToDto(run, redactor);
        return format == "md"
            ? TypedResults.File(System.Text.Encoding.UTF8.GetBytes(RunMarkdownExport.Render(dto)), "text/markdown; charset=utf-8", $"{id}.md")
            : TypedResults.File(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(dto, json.Value.SerializerOptions), "application/json", $"{id}.json");
    }

    private static async Task<IResult> SetPinnedAsync(string id, bool pinned, IHistoryStore store, IDashboardState state, CancellationToken cancellationToken)
    {
        await store.CatchUpAsync(cancellationToken: cancellationToken);
        if (store.SetPinned(id, pinned))
        {
            return TypedResults.NoContent();
        }

        return state.GetRun(id) is null ? UnknownRun(id) : TypedResults.Problem(
            statusCode: StatusCodes.Status409Conflict, title: "Run not kept", detail: $"Run {id} is not in the history store (history is off, or the run was evicted from memory).");
    }

    private static RunSummaryDto ToSummary(RunListItem item, SecretRedactor redactor)
    {
        var r = item.Run;
        return new RunSummaryDto(
            r.Id,
            r.Backend,
            r.Prompt,
            r.Status,
            r.Stage,
            r.Progress,
            r.StartedAt,
            r.EndedAt,
            r.Usage is { } u ? new UsageDto(u.InputTokens, u.OutputTokens, u.TotalTokens) : null,
            r.Error is null ? null : redactor.Redact(r.Error),
            r.ParentRunId,
            r.UpstreamId,
            r.Options,
            r.Metadata,
            r.Text.Truncated,
            item.Pinned,
            item.Match?.Replace(SearchText.MarkStart, '«').Replace(SearchText.MarkEnd, '»'));
    }

    private static IResult InFlight(string id, RunStatus status) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: "Run in flight",
        detail: $"Run {id} is {status.ToString().ToLowerInvariant()}; cancel it or wait for its end before deleting it.");

    private static IResult UnknownRun(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown run", detail: $"No run has id \"{id}\".");
}

/// <param name="Deleted">Runs removed from history.</param>
internal sealed record ClearedDto(int Deleted);
