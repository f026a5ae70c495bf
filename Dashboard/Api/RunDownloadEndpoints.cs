namespace Dashboard.Api;

public static class RunDownloadEndpoints
{
    /// <summary>
    /// The run page's download button: the same export as GET /api/runs/{id}/export, under the
    /// page's own sign-in (the API takes only bearer tokens, which a browser link cannot send).
    /// </summary>
    public static IEndpointConventionBuilder MapRunDownloads(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/runs/{id}/export", RunHistoryApi.Export);
}
