namespace Dashboard.Demo.OpenAi;

/// <summary>OpenAI Chat Completions stream bodies (compact, UTF-8), key for key as the API sends them.</summary>
public sealed class ChatChunkJson(string id, long created, string model, bool includeUsage)
{
    public const string Fingerprint = "fp_demo";

    public string Role() => Chunk(json => json.Property("role", "assistant").Property("content", ""), finishReason: null);

    public string Content(string text) => Chunk(json => json.Property("content", text), finishReason: null);

    public string Finish(string reason) => Chunk(_ => { }, reason);

    /// <summary>The last chunk before <c>[DONE]</c> when <c>stream_options.include_usage</c> is set.</summary>
    public string Usage(int promptTokens, int completionTokens)
    {
        var json = Head().Name("choices").StartArray().EndArray()
            .Name("usage").StartObject()
            .Property("prompt_tokens", promptTokens)
            .Property("completion_tokens", completionTokens)
            .Property("total_tokens", promptTokens + completionTokens)
            .EndObject();
        return json.EndObject().ToString();
    }

    public static string Error(string message, string type, string? param, string? code) =>
        DemoJson.Compact().StartObject().Name("error").StartObject()
            .Property("message", message)
            .Property("type", type)
            .Property("param", param)
            .Property("code", code)
            .EndObject().EndObject().ToString();

    private string Chunk(Action<DemoJson> delta, string? finishReason)
    {
        var json = Head().Name("choices").StartArray().StartObject()
            .Property("index", 0)
            .Name("delta").StartObject();
        delta(json);
        json.EndObject()
            .NullProperty("logprobs")
            .Property("finish_reason", finishReason)
            .EndObject().EndArray();
        if (includeUsage)
        {
            json.NullProperty("usage");
        }

        return json.EndObject().ToString();
    }

    private DemoJson Head() =>
        DemoJson.Compact().StartObject()
            .Property("id", id)
            .Property("object", "chat.completion.chunk")
            .Property("created", created)
            .Property("model", model)
            .Property("system_fingerprint", Fingerprint);
}
