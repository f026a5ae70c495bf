using Dashboard.Backends.Common;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Backends.TestGen;

/// <summary>
/// Test generation stream (docs/protocols.md, "LLM text streams", test generation): <c>{"type":"start"}</c>, then
/// <c>{"type":"chunk","content"}</c> appended, then <c>{"type":"done", language, lines,
/// test_file_name, test_framework, test_type}</c> (metadata, completed) or
/// <c>{"type":"error","error"}</c> (failed). Each item is read in one pass over its UTF-8 bytes
/// (<see cref="Utf8Message"/>).
/// </summary>
public sealed class TestGenDecoder : IRunStreamDecoder
{
    private static readonly string[] MetadataFields = ["language", "lines", "test_file_name", "test_framework", "test_type"];
    private static readonly KnownNames Fields = new(["type", "content", "error", .. MetadataFields]);
    private static readonly KnownNames Types = new("chunk", "start", "done", "error");

    public RunOutcome? Outcome { get; private set; }

    public bool IsTerminal => Outcome is not null;

    public void Decode(in SseItem item, DecodeContext context)
    {
        if (item.EventType == "error")
        {
            Fail(context, UpstreamError.ExtractMessage(item.Data) ?? "test generation reported an error");
            return;
        }

        if (item.EventType != SseItem.DefaultEventType)
        {
            return;
        }

        var bytes = item.Utf8();
        var utf8 = bytes.Span;
        var root = new Utf8Message(utf8, Fields, stackalloc Utf8Value[Fields.Count]);
        switch (root.String("type", Types))
        {
            case "start":
                context.Stage("start", StageStatus.Running, "Generating tests");
                break;
            case "chunk":
                if (root.String("content") is { Length: > 0 } content)
                {
                    context.Text(content, TextMode.Append);
                }

                break;
            case "done":
                var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var field in MetadataFields)
                {
                    if (root.Scalar(field) is { } value)
                    {
                        metadata[field] = value;
                    }
                }

                if (metadata.Count > 0)
                {
                    context.Metadata(metadata);
                }

                context.Stage("done", StageStatus.Completed, metadata.TryGetValue("test_file_name", out var file) ? file : null);
                Outcome = RunOutcome.Completed;
                break;
            case "error":
                Fail(context, Utf8Value.Whole(utf8).ErrorMessage(utf8) ?? "test generation reported an error");
                break;
            default:
                if (root.Value("error") is { Exists: true } error)
                {
                    Fail(context, error.ErrorMessage(utf8) ?? "test generation reported an error");
                }

                break;
        }
    }

    private void Fail(DecodeContext context, string error)
    {
        context.Stage("error", StageStatus.Failed, error);
        Outcome = RunOutcome.Failed(error);
    }
}
