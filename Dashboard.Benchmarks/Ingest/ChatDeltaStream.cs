using System.Text;

namespace Dashboard.Benchmarks.Ingest;

/// <summary>
/// N OpenAI Chat Completions chunks of one token each (the shape of a real stream: id, object,
/// created, model, one choice with a one-token <c>delta.content</c>, <c>finish_reason</c> null),
/// then a chunk with the finish reason and usage, then <c>[DONE]</c>.
/// </summary>
public static class ChatDeltaStream
{
    private static readonly string[] Tokens = ["The", " answer", " is", " a", " list", ":", "\n\n", "-", " one", " `code`", " and", " **bold**", "."];

    public static byte[] Build(int events)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(events, 2);
        var text = new StringBuilder(events * 200);
        for (var i = 0; i < events - 2; i++)
        {
            text.Append("data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1737030904,\"model\":\"gpt-4o-mini\",\"system_fingerprint\":\"fp_bench\",\"choices\":[{\"index\":0,\"delta\":{\"content\":")
                .Append(System.Text.Json.JsonSerializer.Serialize(Tokens[i % Tokens.Length]))
                .Append("},\"logprobs\":null,\"finish_reason\":null}]}\n\n");
        }

        text.Append("data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1737030904,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":")
            .Append(events - 2).Append(",\"total_tokens\":").Append(events + 10).Append("}}\n\n");
        text.Append("data: [DONE]\n\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
