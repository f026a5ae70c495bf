using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Dashboard.Domain;

namespace Dashboard.Backends.Federation;

/// <summary>
/// What the link reads of the other dashboard's runs through its REST API when the stream cannot
/// tell it: one run by id, and the runs that ended while the link was away
/// (<c>GET /api/runs?since=…&amp;until=…</c>, whose <c>since</c> and <c>until</c> bound the start time).
/// </summary>
internal sealed partial class RemoteRuns(HttpClient http)
{
    /// <summary>Runs asked per page (the API allows up to 1,000).</summary>
    public const int PageSize = 200;

    private static readonly string EndedStatuses = string.Join(
        "&", Enum.GetValues<RunStatus>().Where(s => s.IsTerminal()).Select(s => "status=" + s.ToString().ToLowerInvariant()));

    /// <summary>The run, or null when the other dashboard does not know it (404).</summary>
    public async Task<RemoteRunDetail?> GetAsync(string remoteRunId, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"api/runs/{Uri.EscapeDataString(remoteRunId)}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<RemoteRunDetail>(RemoteJson.Options, cancellationToken);
    }

    /// <summary>
    /// The ended runs that started from <paramref name="since"/> to <paramref name="until"/> (the
    /// other dashboard's clock), newest first, at most <paramref name="max"/>; <c>More</c> says some were left.
    /// </summary>
    public async Task<(IReadOnlyList<RemoteRunSummary> Runs, bool More)> EndedAsync(DateTimeOffset since, DateTimeOffset until, int max, CancellationToken cancellationToken)
    {
        var runs = new List<RemoteRunSummary>();
        string? next = string.Create(CultureInfo.InvariantCulture, $"api/runs?since={Time(since)}&until={Time(until)}&{EndedStatuses}&limit={PageSize}");
        while (next is not null && runs.Count < max)
        {
            using var response = await http.GetAsync(next, cancellationToken);
            response.EnsureSuccessStatusCode();
            var page = await response.Content.ReadFromJsonAsync<List<RemoteRunSummary>>(RemoteJson.Options, cancellationToken) ?? [];
            runs.AddRange(page.Where(r => r.Status.IsTerminal()).Take(max - runs.Count));
            next = page.Count > 0 ? NextPage(response) : null;
        }

        return (runs, next is not null);
    }

    private static string Time(DateTimeOffset at) =>
        Uri.EscapeDataString(at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));

    // The API's Link header: <path?query>; rel="next" (the path holds the other side's base path).
    private static string? NextPage(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Link", out var values)
            ? values.Select(v => LinkNext().Match(v)).FirstOrDefault(m => m.Success)?.Groups[1].Value
            : null;

    [GeneratedRegex("<([^>]+)>\\s*;\\s*rel=\"next\"", RegexOptions.CultureInvariant)]
    private static partial Regex LinkNext();
}
