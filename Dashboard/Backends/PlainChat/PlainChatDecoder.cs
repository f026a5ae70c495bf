using Dashboard.Backends.Common;
using Dashboard.Domain;

namespace Dashboard.Backends.PlainChat;

/// <summary>
/// Simple chat stream (docs/protocols.md, "LLM text streams", simple chat): <c>{"content"}</c> deltas appended until
/// <c>data: [DONE]</c>; <c>event: error</c> <c>{"error","fatal"?}</c> (or an <c>error</c> field on a
/// message) ends the run failed, whatever <c>fatal</c> says: the server stops sending after it.
/// </summary>
public sealed class PlainChatDecoder() : DoneTerminatedDecoder("chat stream reported an error", "content")
{
    private protected override void OnMessage(in Utf8Message message, DecodeContext context)
    {
        if (message.String("content") is { Length: > 0 } content)
        {
            context.Text(content, TextMode.Append);
        }
    }
}
