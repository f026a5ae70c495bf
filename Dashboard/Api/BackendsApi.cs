using Dashboard.Backends;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Security;
using Dashboard.State;

namespace Dashboard.Api;

/// <summary>GET /api/backends, /api/backends/{name}/events and /api/graph.</summary>
internal static class BackendsApi
{
    public const int DefaultEventLimit = 100;
    public const int MaxEventLimit = 1000;

    /// <summary>How long a request made during start-up waits for the backends to be known.</summary>
    public static readonly TimeSpan CatalogWait = TimeSpan.FromSeconds(10);

    public static async Task<IResult> ListAsync(BackendCatalog catalog, IDashboardState state, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        await catalog.WaitReadyAsync(CatalogWait, cancellationToken);
        return TypedResults.Ok(Items(catalog, state.Backends, redactor));
    }

    /// <summary>The items of GET /api/backends: every catalogued backend, then any other that reported health.</summary>
    internal static List<BackendDto> Items(BackendCatalog catalog, IReadOnlyList<BackendHealth> backends, SecretRedactor redactor)
    {
        var health = new Dictionary<string, BackendHealth>(BackendNames.Comparer);
        foreach (var h in backends)
        {
            health.TryAdd(h.Name, h);
        }

        var list = new List<BackendDto>();
        foreach (var entry in catalog.All)
        {
            // Known but never connected (or a kind without a stream): stopped until a monitor says otherwise.
            var item = health.Remove(entry.Name, out var h)
                ? ToDto(h, redactor)
                : new BackendDto(entry.Name, entry.Kind.Kind, BackendState.Stopped, null, 0, 0, 0, null, entry.IsDemo, 0);
            list.Add(WithAbilities(item, entry));
        }

        list.AddRange(health.Values.Select(h => ToDto(h, redactor)));
        return list;
    }

    /// <summary>
    /// One item of GET /api/backends from a health report (the <c>backend.state</c> live event):
    /// a backend of this dashboard takes its abilities from its kind, a federated one brings its own.
    /// </summary>
    internal static BackendDto Item(BackendCatalog catalog, BackendHealth h, SecretRedactor redactor) =>
        catalog.Find(h.Name) is { } entry ? WithAbilities(ToDto(h, redactor), entry) : ToDto(h, redactor);

    private static BackendDto WithAbilities(BackendDto item, BackendEntry entry) =>
        item with { Capabilities = CapabilityNames(entry), Options = entry.Runs?.RunOptions ?? [] };

    public static async Task<IResult> EventsAsync(
        string name,
        string? limit,
        BackendCatalog catalog,
        SecretRedactor redactor,
        HttpContext http,
        CancellationToken cancellationToken)
    {
        var count = DefaultEventLimit;
        if (limit is not null)
        {
            if (!int.TryParse(limit, out count))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["limit"] = [$"limit must be a whole number (1..{MaxEventLimit}, default {DefaultEventLimit})."],
                });
            }

            count = Math.Clamp(count, 1, MaxEventLimit);
        }

        await catalog.WaitReadyAsync(CatalogWait, cancellationToken);
        var log = http.RequestServices.GetService<IRawEventLog>();
        var backend = catalog.Find(name)?.Name ?? (log?.HasBackend(name) == true ? name : null);
        if (backend is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown backend", detail: $"No backend is named \"{name}\".");
        }

        var records = log is not null && log.HasBackend(backend) ? log.Recent(backend, count) : [];
        return TypedResults.Ok(records.Select(r =>
            new RawEventDto(r.Seq, r.Type, r.Id, redactor.Redact(r.Data), r.ReceivedAt, r.DataTruncated, r.Note)).ToList());
    }

    public static IResult Graphs(IDashboardState state) =>
        TypedResults.Ok(state.Graphs.Select(ToDto).ToList());

    internal static GraphDto ToDto(GraphView g) => new(
        g.Backend, g.Nodes, g.Edges, g.Tiers, g.Types, g.UpdatedAt,
        [.. g.History.Select(p => new GraphPointDto(p.At, p.Nodes))],
        g.AvgEntanglement, g.HistoryTruncated);

    internal static BackendDto ToDto(BackendHealth h, SecretRedactor redactor) => new(
        h.Name, h.Kind, h.State, h.LastEventAt, h.EventsReceived, h.DecodeErrors, h.Reconnects,
        h.LastError is null ? null : redactor.Redact(h.LastError), h.IsDemo, h.OversizedDropped, h.ValuesCut, h.IdsNotResent)
    {
        Via = h.Via,
        Capabilities = h.Capabilities ?? [],
        Options = h.RunOptions ?? [],
    };

    private static List<string> CapabilityNames(BackendEntry entry)
    {
        var names = new List<string>();
        if (entry.Has(BackendCapabilities.Runs))
        {
            names.Add("runs");
        }

        if (entry.Has(BackendCapabilities.Iterations))
        {
            names.Add("iterate");
        }

        if (entry.Client is IUpstreamCancel)
        {
            names.Add("cancel");
        }

        if (entry.Has(BackendCapabilities.GraphStats))
        {
            names.Add("graph");
        }

        return names;
    }
}
