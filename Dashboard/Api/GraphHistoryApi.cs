using Dashboard.State;
using Dashboard.Storage;

namespace Dashboard.Api;

/// <summary>GET /api/graph: today's shape; with <c>range</c>, each backend's history over that range from the store, downsampled.</summary>
internal static class GraphHistoryApi
{
    /// <summary>Points per backend at most in a ranged answer.</summary>
    public const int MaxPoints = 360;

    public static readonly IReadOnlyDictionary<string, TimeSpan> Ranges = new Dictionary<string, TimeSpan>(StringComparer.Ordinal)
    {
        ["1h"] = TimeSpan.FromHours(1),
        ["24h"] = TimeSpan.FromHours(24),
        ["7d"] = TimeSpan.FromDays(7),
        ["30d"] = TimeSpan.FromDays(30),
    };

    public static IResult Graphs(string? range, IDashboardState state, IHistoryStore store, TimeProvider clock)
    {
        if (range is null)
        {
            return BackendsApi.Graphs(state);
        }

        if (!Ranges.TryGetValue(range, out var span))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["range"] = ["range must be 1h, 24h, 7d or 30d."] });
        }

        var since = clock.GetUtcNow() - span;
        return TypedResults.Ok(state.Graphs.Select(g => new GraphDto(
            g.Backend, g.Nodes, g.Edges, g.Tiers, g.Types, g.UpdatedAt,
            [.. store.GraphHistory(g.Backend, since, MaxPoints).Select(p => new GraphPointDto(p.At, p.Nodes))],
            g.AvgEntanglement, HistoryTruncated: false)).ToList());
    }
}
