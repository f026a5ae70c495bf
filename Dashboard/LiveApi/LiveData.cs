using System.Text.Json;
using System.Text.Json.Serialization;
using Dashboard.Api;
using Dashboard.Domain;

namespace Dashboard.LiveApi;

// The `data` shapes of the live event types. Add fields freely, never rename or remove one.

public sealed record GraphStatsData(int Nodes, int? Edges, double? AvgEntanglement, IReadOnlyDictionary<string, int> Tiers, IReadOnlyDictionary<string, int> Types, DateTimeOffset UpdatedAt);

public sealed record RunStageData(string Stage, StageStatus Status, string? Message, double? Progress, DateTimeOffset At);

public sealed record RunTextDeltaData(string Channel, string Delta);

public sealed record RunTextSnapshotData(string Channel, string Snapshot);

/// <summary><see cref="Arguments"/> is the whole text so far; <see cref="ArgumentsTruncated"/> when it was cut to stay within one message.</summary>
public sealed record RunToolData(string Id, string? Name, string? Status, string? Detail, string Arguments, bool ArgumentsTruncated);

public sealed record RunUpstreamIdData(string UpstreamId);

public sealed record RunMetadataData(string Key, string Value);

public sealed record RunEndedData(RunStatus Status, string? Error, DateTimeOffset EndedAt);

public sealed record SnapshotData(string Instance, long LastSequence, IReadOnlyList<BackendDto> Backends, IReadOnlyList<GraphDto> Graph, IReadOnlyList<RunDto> Runs);

public sealed record GapData(long FromSequence, long ToSequence);

/// <summary>API conventions for the live events: camelCase, enums as lower-case strings, like the REST API.</summary>
public static class LiveJson
{
    public static readonly JsonSerializerOptions Options = Create();

    /// <summary>
    /// The data as a tree of plain values, so SignalR's JSON and MessagePack protocols write the
    /// same camelCase names as the REST API (MessagePack would otherwise use the C# names).
    /// </summary>
    public static object? ToTree<T>(T value) => ToTree(JsonSerializer.SerializeToElement(value, Options));

    public static object? ToTree(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => ToTree(p.Value), StringComparer.Ordinal),
        JsonValueKind.Array => element.EnumerateArray().Select(ToTree).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var whole) ? whole : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    /// <summary>ISO 8601, written exactly as the dates inside <c>data</c> are.</summary>
    public static string Timestamp(DateTimeOffset at) => JsonSerializer.SerializeToElement(at, Options).GetString()!;

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
