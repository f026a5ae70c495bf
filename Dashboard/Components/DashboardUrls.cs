namespace Dashboard.Components;

/// <summary>
/// Every route of the dashboard's pages, relative to the app's base: the pages' own templates and
/// the links to them. Values a user or an upstream controls (run ids, backend names) are escaped
/// here and nowhere else.
/// </summary>
public static class DashboardUrls
{
    /// <summary>Route templates, for the pages' <c>[Route]</c> attributes.</summary>
    public static class Templates
    {
        public const string Overview = "/";
        public const string Runs = "/runs";
        public const string NewRun = "/runs/new";
        public const string Run = "/runs/{Id}";
        public const string Compare = "/runs/compare";
        public const string Backends = "/backends";
        public const string History = "/history";
        public const string Insights = "/insights";
        public const string NotFound = "/not-found";
        public const string Error = "/Error";
    }

    public const string ParentQuery = "parent";
    public const string AgainQuery = "again";

    public const string Overview = "";
    public const string Runs = "runs";
    public const string NewRun = "runs/new";
    public const string Backends = "backends";
    public const string ActiveRuns = "runs?status=active";
    public const string History = "history";
    public const string Insights = "insights";

    public static string Run(string runId) => "runs/" + Uri.EscapeDataString(runId);

    /// <summary>The form, set to iterate on a completed run.</summary>
    public static string Iterate(string parentRunId) => $"{NewRun}?{ParentQuery}={Uri.EscapeDataString(parentRunId)}";

    /// <summary>The form, filled with an ended run's backend, prompt and options.</summary>
    public static string RunAgain(string runId) => $"{NewRun}?{AgainQuery}={Uri.EscapeDataString(runId)}";

    /// <summary>Two runs side by side.</summary>
    public static string Compare(string a, string b) => $"runs/compare?a={Uri.EscapeDataString(a)}&b={Uri.EscapeDataString(b)}";

    /// <summary>One run as a download (<paramref name="format"/>: md or json), under the page's own sign-in.</summary>
    public static string Export(string runId, string format) => $"runs/{Uri.EscapeDataString(runId)}/export?format={Uri.EscapeDataString(format)}";

    public static string RunsOf(string backend) => "runs?backend=" + Uri.EscapeDataString(backend);
}
