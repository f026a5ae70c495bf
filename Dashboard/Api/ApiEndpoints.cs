using Dashboard.Security;
using Microsoft.AspNetCore.Http.Metadata;

namespace Dashboard.Api;

/// <summary>The JSON API under /api. Its routes and field names are a contract: users' scripts rely on them.</summary>
public static class ApiEndpoints
{
    /// <summary>Largest request body the API reads (413 beyond).</summary>
    public const long MaxBodyBytes = 1024 * 1024;

    /// <summary>Maps every API route under one group, so one policy (authorization, limits) covers all of them.</summary>
    public static RouteGroupBuilder MapDashboardApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").WithMetadata(new BodySizeLimit(MaxBodyBytes));
        api.AddEndpointFilter<HistoryUnavailableFilter>();

        api.MapGet("/backends", BackendsApi.ListAsync);
        api.MapGet("/backends/{name}/events", BackendsApi.EventsAsync);
        api.MapGet("/graph", GraphHistoryApi.Graphs);
        api.MapGet("/runs", RunHistoryApi.ListAsync);
        api.MapGet("/runs/{id}", RunsApi.Get);
        api.MapGet("/runs/{id}/export", RunHistoryApi.Export);
        // Changing state needs the dashboard's token; the read-only token gets 403.
        api.MapPost("/runs", RunsApi.StartAsync).RequireAuthorization(DashboardAuth.WritePolicy);
        api.MapPost("/runs/{id}/cancel", RunsApi.CancelAsync).RequireAuthorization(DashboardAuth.WritePolicy);
        api.MapDelete("/runs", RunHistoryApi.ClearAsync).RequireAuthorization(DashboardAuth.WritePolicy);
        api.MapDelete("/runs/{id}", RunHistoryApi.DeleteAsync).RequireAuthorization(DashboardAuth.WritePolicy);
        api.MapPost("/runs/{id}/pin", RunHistoryApi.PinAsync).RequireAuthorization(DashboardAuth.WritePolicy);
        api.MapDelete("/runs/{id}/pin", RunHistoryApi.UnpinAsync).RequireAuthorization(DashboardAuth.WritePolicy);
        api.MapGet("/info", InfoApi.Get);
        return api;
    }

    /// <summary>Lets the server refuse an oversized body before it is read (Kestrel honours it per endpoint).</summary>
    private sealed record BodySizeLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;
}
