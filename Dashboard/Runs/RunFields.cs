namespace Dashboard.Runs;

/// <summary>Field names of run errors, as POST /api/runs and the form name them.</summary>
public static class RunFields
{
    public const string Backend = "backend";
    public const string Prompt = "prompt";
    public const string ParentRunId = "parentRunId";
    public const string Options = "options";
}
