namespace Dashboard.Backends.Llm;

/// <summary>
/// The timeline every LLM kind reports, whatever its dialect says natively, so runs of different
/// kinds read the same: request → accepted → first token → streaming → done | failed.
/// </summary>
public static class LlmStages
{
    /// <summary>The HTTP request is on its way (running) until the stream is open (completed).</summary>
    public const string Request = "request";

    /// <summary>The upstream acknowledged the run (created / message_start / first chunk).</summary>
    public const string Accepted = "accepted";

    /// <summary>First text, thinking or tool-call piece; the message says how long it took.</summary>
    public const string FirstToken = "first token";

    /// <summary>Tokens are flowing (running) until the dialect's end.</summary>
    public const string Streaming = "streaming";

    public const string Done = "done";

    public const string Failed = "failed";
}

/// <summary>Tool-call statuses, in the Responses API's own words (Forge and Responses send them as-is).</summary>
public static class LlmToolStatus
{
    public const string InProgress = "in_progress";

    public const string Completed = "completed";
}
