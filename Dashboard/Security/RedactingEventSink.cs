using Dashboard.Domain;

namespace Dashboard.Security;

/// <summary>
/// The redaction boundary in front of the event hub (the hub puts every event through it before
/// sequencing; a stand-in sink in a test can be wrapped the same way): every string an upstream controls (stage
/// names and messages, errors, upstream ids, tool calls, metadata, graph keys, health errors)
/// leaves here with every configured secret and every credential learnt at run time masked, so
/// every reader of the hub (pages, API, store, live API) is safe by construction. Streamed answer
/// text and tool-call arguments are redacted across deltas (<see cref="SecretRedactor.RedactDelta"/>):
/// a tail that could be the start of a secret waits for the next delta, or for the run's end,
/// where it is released just before <see cref="RunEnded"/>. The prompt and options of
/// <see cref="RunCreated"/> are the user's own input and pass unchanged.
/// </summary>
public sealed class RedactingEventSink(IDomainEventSink inner, SecretRedactor secrets) : IDomainEventSink
{
    // Held tails per run, then per stream ("text:Output", "tool:<id>"). Only runs with a held
    // tail have an entry, and the run's end removes it: bounded by the runs in flight.
    private readonly Dictionary<string, Dictionary<string, string>> _held = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    // One key per text channel, made once: this runs for every streamed delta.
    private static readonly string OutputKey = "text:" + TextChannel.Output;
    private static readonly string ThinkingKey = "text:" + TextChannel.Thinking;

    public long Publish(DashboardEvent e) => e switch
    {
        RunTextReceived text => PublishText(text),
        RunToolCallUpdated tool => PublishTool(Mask(tool)),
        RunEnded ended => PublishEnd(Mask(ended)),
        _ => inner.Publish(Mask(e)),
    };

    private DashboardEvent Mask(DashboardEvent e) => e switch
    {
        RunStageReported s when Changed(s.Stage, out var stage) | Changed(s.Message, out var message) => s with { Stage = stage!, Message = message },
        RunUpstreamIdAssigned u when Changed(u.UpstreamId, out var id) => u with { UpstreamId = id! },
        RunMetadataReported m when Changed(m.Metadata, out var metadata) => m with { Metadata = metadata },
        GraphStatsObserved g when Changed(g.Stats.Tiers, out var tiers) | Changed(g.Stats.Types, out var types) => g with { Stats = g.Stats with { Tiers = tiers, Types = types } },
        BackendHealthChanged h when Changed(h.Health.LastError, out var error) => h with { Health = h.Health with { LastError = error } },
        _ => e,
    };

    private RunToolCallUpdated Mask(RunToolCallUpdated t) =>
        Changed(t.ToolCallId, out var id) | Changed(t.Name, out var name) | Changed(t.Status, out var status) | Changed(t.Detail, out var detail)
            ? t with { ToolCallId = id!, Name = name, Status = status, Detail = detail }
            : t;

    private RunEnded Mask(RunEnded e) => Changed(e.Error, out var error) ? e with { Error = error } : e;

    private long PublishText(RunTextReceived text)
    {
        lock (_gate)
        {
            var key = text.Channel == TextChannel.Thinking ? ThinkingKey : OutputKey;
            var held = text.Mode == TextMode.Replace ? "" : Held(text.RunId, key);
            var shown = secrets.RedactDelta(text.Text, ref held);
            Hold(text.RunId, key, held);
            if (shown.Length == 0 && text.Mode == TextMode.Append)
            {
                return 0;
            }

            return inner.Publish(ReferenceEquals(shown, text.Text) ? text : text with { Text = shown });
        }
    }

    private long PublishTool(RunToolCallUpdated tool)
    {
        lock (_gate)
        {
            if (tool.ArgumentsDelta is not { } delta)
            {
                return inner.Publish(tool);
            }

            var key = "tool:" + tool.ToolCallId;
            var held = Held(tool.RunId, key);
            var shown = secrets.RedactDelta(delta, ref held);
            Hold(tool.RunId, key, held);
            return ReferenceEquals(shown, delta) ? inner.Publish(tool) : inner.Publish(tool with { ArgumentsDelta = shown.Length == 0 ? null : shown });
        }
    }

    /// <summary>The end releases what was held back: a held tail is only the start of a secret, never a whole one.</summary>
    private long PublishEnd(RunEnded ended)
    {
        lock (_gate)
        {
            if (_held.Remove(ended.RunId, out var streams))
            {
                foreach (var (key, tail) in streams)
                {
                    inner.Publish(key.StartsWith("text:", StringComparison.Ordinal)
                        ? new RunTextReceived { Backend = ended.Backend, At = ended.At, RunId = ended.RunId, Text = tail, Channel = Enum.Parse<TextChannel>(key["text:".Length..]) }
                        : new RunToolCallUpdated { Backend = ended.Backend, At = ended.At, RunId = ended.RunId, ToolCallId = key["tool:".Length..], ArgumentsDelta = tail });
                }
            }

            return inner.Publish(ended);
        }
    }

    private string Held(string runId, string key) =>
        _held.TryGetValue(runId, out var streams) && streams.TryGetValue(key, out var tail) ? tail : "";

    private void Hold(string runId, string key, string tail)
    {
        if (tail.Length > 0)
        {
            if (!_held.TryGetValue(runId, out var streams))
            {
                _held[runId] = streams = new Dictionary<string, string>(StringComparer.Ordinal);
            }

            streams[key] = tail;
        }
        else if (_held.TryGetValue(runId, out var streams) && streams.Remove(key) && streams.Count == 0)
        {
            _held.Remove(runId);
        }
    }

    private bool Changed(string? value, out string? redacted)
    {
        redacted = value is null ? null : secrets.Redact(value);
        return !ReferenceEquals(redacted, value);
    }

    private bool Changed<TValue>(IReadOnlyDictionary<string, TValue> map, out IReadOnlyDictionary<string, TValue> redacted)
    {
        redacted = map;
        var changed = false;
        foreach (var (key, value) in map)
        {
            changed |= Changed(key, out _) || (value is string text && Changed(text, out _));
        }

        if (changed)
        {
            var copy = new Dictionary<string, TValue>(map.Count, StringComparer.Ordinal);
            foreach (var (key, value) in map)
            {
                copy[secrets.Redact(key)] = value is string text ? (TValue)(object)secrets.Redact(text) : value;
            }

            redacted = copy;
        }

        return changed;
    }
}
