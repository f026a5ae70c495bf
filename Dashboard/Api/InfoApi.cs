using System.Reflection;
using Dashboard.Events;

namespace Dashboard.Api;

/// <summary>GET /api/info: which store a live-API cursor belongs to and how far back it can resume.</summary>
internal static class InfoApi
{
    private static readonly string Version =
        typeof(InfoApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(InfoApi).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    public static IResult Get(IEventReplay replay)
    {
        // Last before first: a window read in the other order could claim a first past its last.
        var last = replay.LastSequence;
        return TypedResults.Ok(new InfoDto(replay.Instance, Version, last, Math.Min(replay.FirstSequence, last + 1)));
    }
}

public sealed record InfoDto(string Instance, string Version, long LastSequence, long ReplayWindowFromSequence);
