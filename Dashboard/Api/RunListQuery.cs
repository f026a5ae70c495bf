using System.Globalization;
using System.Text.RegularExpressions;
using Dashboard.Domain;
using Dashboard.State;
using Dashboard.Storage;

namespace Dashboard.Api;

/// <summary>
/// The query string of GET /api/runs (and of the runs page's URL): every problem is named with
/// its parameter, so a script or a deep link learns exactly what to fix.
/// </summary>
public static partial class RunListQuery
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static readonly string StatusNames = string.Join(", ", Enum.GetValues<RunStatus>().Select(s => s.ToString().ToLowerInvariant()));

    /// <summary>Parses; the errors are keyed by parameter name (empty when the query is good).</summary>
    public static (RunQuery Query, Dictionary<string, string[]> Errors) Parse(IQueryCollection query, IDashboardState state)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(state);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var statuses = new List<RunStatus>();
        foreach (var value in query["status"])
        {
            if (Enum.TryParse<RunStatus>(value, ignoreCase: true, out var status) && !int.TryParse(value, out _))
            {
                statuses.Add(status);
            }
            else
            {
                errors["status"] = [$"status has an unknown value; use {StatusNames} (may repeat)."];
            }
        }

        var sort = RunSort.Started;
        if (query["sort"].FirstOrDefault() is { } sortText)
        {
            if (string.Equals(sortText, "started", StringComparison.OrdinalIgnoreCase))
            {
                sort = RunSort.Started;
            }
            else if (string.Equals(sortText, "duration", StringComparison.OrdinalIgnoreCase))
            {
                sort = RunSort.Duration;
            }
            else
            {
                errors["sort"] = ["sort has an unknown value; use started (default) or duration."];
            }
        }

        var limit = DefaultLimit;
        if (query["limit"].FirstOrDefault() is { } limitText
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxLimit))
        {
            errors["limit"] = [$"limit must be a whole number from 1 to {MaxLimit} (default {DefaultLimit})."];
        }

        var since = Time(query, "since", errors);
        var until = Time(query, "until", errors);
        if (since is { } s && until is { } u && s > u)
        {
            errors["since"] = ["since is later than until."];
        }

        RunCursor? before = null;
        if (query["before"].FirstOrDefault() is { Length: > 0 } beforeText)
        {
            before = RunCursorCodec.TryDecode(beforeText);
            if (before is null && sort == RunSort.Started && state.GetRun(beforeText) is { } run)
            {
                before = new RunCursor(RunSort.Started, run.StartedAt.UtcTicks, run.Id);
            }

            if (before is null || before.Sort != sort)
            {
                errors["before"] = ["before is not a cursor of this listing (use the Link rel=\"next\" URL, or a run id when sorting by start)."];
            }
        }

        var q = query["q"].FirstOrDefault();
        return (new RunQuery
        {
            Backends = [.. query["backend"].Where(b => !string.IsNullOrEmpty(b)).Select(b => b!)],
            Statuses = statuses,
            Text = string.IsNullOrWhiteSpace(q) ? null : q,
            Since = since,
            Until = until,
            Sort = sort,
            Limit = errors.ContainsKey("limit") ? DefaultLimit : limit,
            Before = before,
        }, errors);
    }

    private static DateTimeOffset? Time(IQueryCollection query, string name, Dictionary<string, string[]> errors)
    {
        if (query[name].FirstOrDefault() is not { Length: > 0 } text)
        {
            return null;
        }

        if (!WithOffset().IsMatch(text)
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
        {
            errors[name] = [$"{name} must be an ISO 8601 time with an offset, such as 2026-11-27T10:00:00Z or 2026-11-27T11:00:00+01:00."];
            return null;
        }

        return at;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex WithOffset();
}
