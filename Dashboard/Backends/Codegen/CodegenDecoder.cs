using System.Text.Json;
using Dashboard.Backends.Common;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Backends.Codegen;

/// <summary>
/// Decodes the code-generation backend's progress stream (docs/protocols.md, "Code generation"): compact JSON
/// <c>{generation_id, status, stage, progress 0..1, message, partial_output, timestamp, …}</c>.
/// <para>
/// Terminal rule: an event is final when its stage is one of <see cref="TerminalStages"/> or its
/// status is <c>failed</c>/<c>cancelled</c>. Status <c>completed</c> alone is not final (the
/// backend marks intermediate stages such as <c>phased_generation_complete</c> completed); a
/// stream that ends without a final event is settled by the client's status fallback. The final
/// outcome is Cancelled for status cancelled; Failed for status failed or stages error,
/// iteration_error, timeout (with the event's message); otherwise Completed.
/// </para>
/// Timeline entries are stamped with the dashboard's receive time; the upstream timestamp is not
/// used (clocks differ and replayed events would jump back). Events already seen on this stream
/// (the backend keeps its last 50 and may send them again to a new connection) are skipped, and an
/// event whose stage, status, message and progress all equal the previous one's reports no stage
/// again (its partial output still replaces the text).
/// </summary>
public sealed class CodegenDecoder : IRunStreamDecoder
{
    public static readonly IReadOnlySet<string> TerminalStages = new HashSet<string>(StringComparer.Ordinal)
    {
        "complete", "iteration_complete", "iteration_no_changes", "error", "iteration_error", "timeout",
    };

    private static readonly IReadOnlySet<string> FailedStages = new HashSet<string>(StringComparer.Ordinal)
    {
        "error", "iteration_error", "timeout",
    };

    public const string ConnectedStage = "connected";

    // Bounded: the backend replays at most its last 50 events.
    private const int MaxRemembered = 1024;
    private readonly HashSet<EventKey> _seen = [];
    private readonly RecentStrings _recent = new();
    private StageReport? _lastReport;
    private bool _connected;

    public RunOutcome? Outcome { get; private set; }

    public bool IsTerminal => Outcome is not null;

    public void Decode(in SseItem item, DecodeContext context)
    {
        if (item.EventType == "error")
        {
            Fail(context, UpstreamError.ExtractMessage(item.Data) ?? "upstream reported an error");
            return;
        }

        if (item.EventType != SseItem.DefaultEventType)
        {
            return;
        }

        // One forward pass over the received bytes; a document only for the rare error event.
        var utf8 = item.Utf8();
        var fields = CodegenFields.Read(utf8.Span, _recent);
        if (fields.HasError || fields.Type == "error")
        {
            FailFromDocument(utf8, context);
            return;
        }

        var stage = fields.Stage;
        var status = fields.Status;
        if (stage is null && status is null)
        {
            return;
        }

        // Every connection opens with stage "connected" at progress 0: only the first one is a
        // stage; a later one is a reconnect, and as a stage it would repeat and step progress back.
        if (stage == ConnectedStage && _connected)
        {
            context.Emit(new RunStreamReconnected { Backend = context.Backend, At = context.Now, RunId = context.RequireRunId() });
            return;
        }

        _connected |= stage == ConnectedStage;
        var message = fields.Message;
        var progress = fields.Progress;
        var timestamp = fields.Timestamp;
        if (!Remember(new EventKey(timestamp, stage, status, progress, message?.Length ?? -1, message is null ? 0 : string.GetHashCode(message, StringComparison.Ordinal))))
        {
            return;
        }

        stage ??= status!;
        var report = new StageReport(stage, StageStatusOf(status), message, RunEvents.Progress(progress));
        // Streaming updates repeat the stage with only new partial output: one timeline entry is enough.
        if (report != _lastReport)
        {
            _lastReport = report;
            context.Stage(report.Stage, report.Status, report.Message, report.Progress);
        }

        if (fields.PartialOutput is { } output)
        {
            context.Text(output, TextMode.Replace);
        }

        if (TerminalStages.Contains(stage) || status is "failed" or "cancelled")
        {
            Outcome = status == "cancelled" ? new RunOutcome(RunStatus.Cancelled, message)
                : status == "failed" || FailedStages.Contains(stage) ? RunOutcome.Failed(message ?? $"generation ended at stage {stage}")
                : RunOutcome.Completed;
        }
    }

    private static StageStatus StageStatusOf(string? status) => status switch
    {
        "completed" => StageStatus.Completed,
        "warning" => StageStatus.Warning,
        "failed" or "error" => StageStatus.Failed,
        "cancelled" => StageStatus.Cancelled,
        _ => StageStatus.Running,
    };

    private bool Remember(EventKey key)
    {
        if (_seen.Count >= MaxRemembered)
        {
            _seen.Clear();
        }

        return _seen.Add(key);
    }

    private void FailFromDocument(ReadOnlyMemory<byte> utf8, DecodeContext context)
    {
        using var doc = JsonDocument.Parse(utf8);
        var root = doc.RootElement;
        Fail(context, (JsonFields.Value(root, "error") is { } error ? UpstreamError.FromElement(error) : UpstreamError.FromElement(root))
            ?? "upstream reported an error");
    }

    private void Fail(DecodeContext context, string error)
    {
        context.Stage("error", StageStatus.Failed, error);
        _lastReport = null;
        Outcome = RunOutcome.Failed(error);
    }

    // What makes a replayed event the same event (a value, so remembering one allocates nothing).
    // The message by length and hash, not the string: remembering 1,024 messages of megabytes
    // each held gigabytes for the life of the run (stage and status are cut at the hub, but
    // the decoder sees them before).
    private readonly record struct EventKey(double? Timestamp, string? Stage, string? Status, double? Progress, int MessageLength, int MessageHash);

    // A value: building one per event to compare with the last allocates nothing.
    private readonly record struct StageReport(string Stage, StageStatus Status, string? Message, double? Progress);
}
