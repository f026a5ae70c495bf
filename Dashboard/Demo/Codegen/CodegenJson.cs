namespace Dashboard.Demo.Codegen;

/// <summary>The code-generation backend's bodies (pydantic/FastAPI: compact, UTF-8), key for key.</summary>
public static class CodegenJson
{
    /// <summary>One progress event of <c>GET /generations/generate/{id}/stream</c>, in the server's key order.</summary>
    public static string ProgressEvent(
        string generationId, string status, string stage, double progress, string message,
        string generationMode, string? partialOutput, double timestamp) =>
        DemoJson.Compact().StartObject()
            .Property("generation_id", generationId)
            .Property("status", status)
            .Property("stage", stage)
            .Property("progress", progress)
            .Property("message", message)
            .NullProperty("ab_group")
            .NullProperty("enhanced_features")
            .Property("generation_mode", generationMode)
            .NullProperty("estimated_time_remaining")
            .NullProperty("current_file")
            .Property("partial_output", partialOutput)
            .Property("timestamp", timestamp)
            .EndObject().ToString();

    public static string Token(string accessToken) =>
        DemoJson.Compact().StartObject()
            .Property("access_token", accessToken)
            .Property("token_type", "bearer")
            .EndObject().ToString();

    public static string StreamToken(string token, string streamUrl, string generationId) =>
        DemoJson.Compact().StartObject()
            .Property("sse_token", token)
            .Property("expires_in", 60)
            .Property("stream_url", streamUrl)
            .Property("generation_id", generationId)
            .EndObject().ToString();

    public static string Started(DemoGeneration generation) =>
        DemoJson.Compact().StartObject()
            .Property("generation_id", generation.Id)
            .Property("status", "pending")
            .Property("message", generation.IsIteration ? "Iteration started" : "Generation started")
            .Property("is_iteration", generation.IsIteration)
            .Property("parent_generation_id", generation.ParentId)
            .Property("generation_mode", generation.Mode)
            .Property("created_at", Iso(generation.CreatedAt))
            .EndObject().ToString();

    public static string Status(DemoGeneration generation)
    {
        var state = generation.Current();
        return DemoJson.Compact().StartObject()
            .Property("generation_id", generation.Id)
            .Property("status", state.Status)
            .Property("stage", state.Stage)
            .Property("progress", state.Progress)
            .Property("message", state.Message)
            .Property("prompt", generation.Prompt)
            .Property("is_iteration", generation.IsIteration)
            .Property("parent_generation_id", generation.ParentId)
            .Property("generation_mode", generation.Mode)
            .Property("partial_output", state.PartialOutput)
            .Property("created_at", Iso(generation.CreatedAt))
            .Property("updated_at", Iso(state.UpdatedAt))
            .EndObject().ToString();
    }

    public static string Cancelled(string generationId) =>
        DemoJson.Compact().StartObject()
            .Property("generation_id", generationId)
            .Property("status", "cancelled")
            .Property("message", "Generation cancelled")
            .EndObject().ToString();

    private static string Iso(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture);
}
