using System.Text;
using Dashboard.Backends.Common;
using Dashboard.Backends.Llm;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Backends.Forge;

/// <summary>
/// Knowledge Forge snapshot stream: every event's data is the whole Response so far, so text is
/// rebuilt from <c>output[*].content[*]</c> (<c>output_text</c> parts) and sent as a replacement;
/// tool items (<c>*_call</c>) and usage are reported when they change. <c>done</c> ends the
/// stream, <c>error</c> fails it. Each snapshot is read in one pass over its UTF-8 bytes
/// (<see cref="ForgeSnapshot"/>), and its text becomes a string only when it changed.
/// </summary>
public sealed class ForgeDecoder : LlmDecoder
{
    private const string CallSuffix = "_call";

    private static readonly KnownNames Kinds = new("response");
    private static readonly KnownNames OutputTypes = new("message", "reasoning", "file_search_call", "web_search_call", "function_call");
    private static readonly KnownNames Statuses = new("in_progress", "searching", "completed", "failed", "incomplete", "queued");

    private readonly Dictionary<string, (string? Status, string? Detail)> _tools = new(StringComparer.Ordinal);
    private readonly ForgeSnapshot _snapshot = new();
    private readonly StringBuilder _nextText = new();
    private string _text = "";
    private Usage? _usage;
    private string? _status;
    private string? _error;

    protected override void DecodeItem(in SseItem item, DecodeContext context)
    {
        switch (item.EventType)
        {
            case "done":
                End(context);
                return;
            case "error":
                // Said as JSON or as plain text: either way it is the upstream's message.
                Fail(context, UpstreamError.ExtractMessage(item.Data) ?? "upstream error");
                return;
        }

        var bytes = item.Utf8();
        var utf8 = bytes.Span;
        var snapshot = _snapshot;
        snapshot.Read(utf8);

        // Every other event type (response.created, response.output_text.delta,
        // response.file_search_call.searching, …) carries the same thing: the response so far.
        if (!snapshot.IsObject || snapshot.Kind.Text(utf8, Kinds) is not (null or "response"))
        {
            return;
        }

        UpstreamId(context, snapshot.Id.Text(utf8));
        Timeline.Accepted(context, StageStatus.Completed, snapshot.Model.Text(utf8));
        _status = snapshot.Status.Text(utf8, Statuses) ?? _status;
        _error = snapshot.Error.Exists ? snapshot.Error.ErrorMessage(utf8) : _error;
        foreach (ref readonly var output in snapshot.Outputs)
        {
            ToolItem(output, utf8, context);
        }

        if (TextChanged(utf8))
        {
            _text = _nextText.ToString();
            Text(context, _text, TextMode.Replace);
        }

        if (snapshot.Usage is { } counts)
        {
            var usage = counts.ToUsage();
            if (usage != _usage)
            {
                _usage = usage;
                Usage(context, usage);
            }
        }
    }

    private void End(DecodeContext context)
    {
        if (_status is "failed" or "incomplete")
        {
            Fail(context, _error ?? $"response {_status}");
            return;
        }

        Complete(context, _status);
    }

    /// <summary>Builds the snapshot's text (its output_text parts) next to the last one, and says whether it differs.</summary>
    private bool TextChanged(ReadOnlySpan<byte> utf8)
    {
        _nextText.Clear();
        foreach (ref readonly var output in _snapshot.Outputs)
        {
            foreach (ref readonly var part in _snapshot.Parts(output))
            {
                if (part.Type.Is(utf8, "output_text"))
                {
                    part.Text.AppendTo(utf8, _nextText);
                }
            }
        }

        return !_nextText.Equals(_text.AsSpan());
    }

    private void ToolItem(in ForgeOutput item, ReadOnlySpan<byte> utf8, DecodeContext context)
    {
        var type = item.Type.Text(utf8, OutputTypes);
        if (type is null || !type.EndsWith(CallSuffix, StringComparison.Ordinal) || item.Id.Text(utf8) is not { } id)
        {
            return;
        }

        var status = item.Status.Text(utf8, Statuses);
        var detail = Detail(item, utf8);
        var known = _tools.TryGetValue(id, out var last);
        if (known && last == (status, detail))
        {
            return;
        }

        _tools[id] = (status, detail);
        ToolCall(context, id, known ? null : item.Name.Text(utf8) ?? type[..^CallSuffix.Length], status: status, detail: detail);
    }

    /// <summary>What a user wants to see of a search: its queries and how many results it found.</summary>
    private string? Detail(in ForgeOutput item, ReadOnlySpan<byte> utf8)
    {
        string? queries = null;
        var list = _snapshot.Queries(item);
        if (list.Length > 0)
        {
            var text = new StringBuilder("queries: ");
            for (var i = 0; i < list.Length; i++)
            {
                if (i > 0)
                {
                    text.Append(", ");
                }

                list[i].AppendTo(utf8, text);
            }

            queries = text.ToString();
        }

        var results = item.Results switch
        {
            null => null,
            1 => "1 result",
            var count => $"{count} results",
        };
        return queries is null ? results : results is null ? queries : $"{queries}; {results}";
    }
}
