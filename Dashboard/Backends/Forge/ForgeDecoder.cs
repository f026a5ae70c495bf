using System.Text;
using System.Text.Json;
using Dashboard.Backends.Common;
using Dashboard.Backends.Llm;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Security;

namespace Dashboard.Backends.Forge;

/// <summary>
/// Knowledge Forge snapshot stream: every event's data is the whole Response so far, so text is
/// rebuilt from <c>output[*].content[*]</c> (<c>output_text</c> parts) and sent as a replacement;
/// tool items (<c>*_call</c>) and usage are reported when they change. <c>done</c> ends the
/// stream, <c>error</c> fails it.
/// </summary>
public sealed class ForgeDecoder : LlmDecoder
{
    private readonly Dictionary<string, (string? Status, string? Detail)> _tools = new(StringComparer.Ordinal);
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

        using var doc = Parse(item);
        var root = doc.RootElement;

        // Every other event type (response.created, response.output_text.delta,
        // response.file_search_call.searching, …) carries the same thing: the response so far.
        if (root.ValueKind != JsonValueKind.Object || root.Str("object") is not (null or "response"))
        {
            return;
        }

        UpstreamId(context, root.Str("id"));
        Timeline.Accepted(context, StageStatus.Completed, root.Str("model"));
        _status = root.Str("status") ?? _status;
        _error = root.Prop("error") is { } error ? UpstreamError.FromElement(error) : _error;
        foreach (var output in root.Arr("output"))
        {
            ToolItem(output, context);
        }

        var text = TextOf(root);
        if (text != _text)
        {
            _text = text;
            Text(context, text, TextMode.Replace);
        }

        if (root.Obj("usage") is { } u)
        {
            var usage = new Usage(u.Int("input_tokens"), u.Int("output_tokens"), u.Int("total_tokens"));
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

    private static string TextOf(JsonElement response)
    {
        var text = new StringBuilder();
        foreach (var output in response.Arr("output"))
        {
            foreach (var part in output.Arr("content"))
            {
                if (part.Str("type") == "output_text")
                {
                    text.Append(part.Str("text"));
                }
            }
        }

        return text.ToString();
    }

    private void ToolItem(JsonElement item, DecodeContext context)
    {
        var type = item.Str("type");
        if (type is null || !type.EndsWith("_call", StringComparison.Ordinal) || item.Str("id") is not { } id)
        {
            return;
        }

        var status = item.Str("status");
        var detail = Detail(item);
        var known = _tools.TryGetValue(id, out var last);
        if (known && last == (status, detail))
        {
            return;
        }

        _tools[id] = (status, detail);
        ToolCall(context, id, known ? null : item.Str("name") ?? type[..^"_call".Length], status: status, detail: detail);
    }

    /// <summary>What a user wants to see of a search: its queries and how many results it found.</summary>
    private static string? Detail(JsonElement item)
    {
        var parts = new List<string>();
        var queries = item.Arr("queries").Where(q => q.ValueKind == JsonValueKind.String).Select(q => q.GetString()).ToList();
        if (queries.Count > 0)
        {
            parts.Add("queries: " + string.Join(", ", queries));
        }

        if (item.Prop("results") is { ValueKind: JsonValueKind.Array } results)
        {
            var count = results.GetArrayLength();
            parts.Add(count == 1 ? "1 result" : $"{count} results");
        }

        return parts.Count > 0 ? string.Join("; ", parts) : null;
    }
}
