using System.Collections.Concurrent;
using System.Diagnostics;
using Dashboard.Domain;

namespace Dashboard.Telemetry;

/// <summary>
/// Each run as one trace span (so an OTLP viewer lists the runs): opened when the run is created,
/// its stages as span events, its token usage as attributes (OpenTelemetry's gen_ai names), closed
/// with the run's final status. Spans exist only while a tracer listens.
/// </summary>
public sealed class RunTracing : IDisposable
{
    public const string SourceName = "Dashboard.Runs";

    /// <summary>Spans open at once; a run beyond it is not traced (runs in flight are bounded far lower).</summary>
    private const int MaxOpenSpans = 4096;

    private const int MaxMessageChars = 256;

    private readonly ActivitySource _source = new(SourceName);
    private readonly ConcurrentDictionary<string, Activity> _open = new(StringComparer.Ordinal);

    internal int OpenSpans => _open.Count;

    internal void Observe(DashboardEvent e)
    {
        switch (e)
        {
            case RunCreated created:
                Open(created);
                break;
            case RunUpstreamIdAssigned assigned when _open.TryGetValue(assigned.RunId, out var span):
                lock (span)
                {
                    span.SetTag("dashboard.run.upstream_id", assigned.UpstreamId);
                }

                break;
            case RunStageReported stage when _open.TryGetValue(stage.RunId, out var span):
                AddStage(span, stage);
                break;
            case RunUsageReported usage when _open.TryGetValue(usage.RunId, out var span):
                lock (span)
                {
                    SetIfKnown(span, "gen_ai.usage.input_tokens", usage.Usage.InputTokens);
                    SetIfKnown(span, "gen_ai.usage.output_tokens", usage.Usage.OutputTokens);
                    SetIfKnown(span, "dashboard.usage.total_tokens", usage.Usage.TotalTokens);
                }

                break;
            case RunEnded ended when _open.TryRemove(ended.RunId, out var span):
                Close(span, ended);
                break;
        }
    }

    private void Open(RunCreated created)
    {
        if (_open.Count >= MaxOpenSpans || !_source.HasListeners())
        {
            return;
        }

        // A run outlives whatever request started it: its span is a root, and the caller's
        // ambient activity is left as it was.
        var previous = Activity.Current;
        Activity.Current = null;
        try
        {
            var span = _source.StartActivity(ActivityKind.Internal, parentContext: default, startTime: created.At, name: "dashboard.run");
            if (span is null)
            {
                return;
            }

            span.DisplayName = $"run {created.Backend}";
            span.SetTag("dashboard.run.id", created.RunId);
            span.SetTag("dashboard.backend", created.Backend);
            span.SetTag("dashboard.run.prompt_chars", created.Prompt.Length);
            if (created.ParentRunId is { } parent)
            {
                span.SetTag("dashboard.run.parent_id", parent);
            }

            if (!_open.TryAdd(created.RunId, span))
            {
                span.Dispose();
            }
        }
        finally
        {
            Activity.Current = previous;
        }
    }

    private static void AddStage(Activity span, RunStageReported stage)
    {
        var tags = new ActivityTagsCollection
        {
            ["dashboard.stage.status"] = stage.Status.ToString().ToLowerInvariant(),
        };
        if (stage.Message is { Length: > 0 } message)
        {
            tags["dashboard.stage.message"] = message.Length > MaxMessageChars ? message[..MaxMessageChars] + "…" : message;
        }

        if (stage.Progress is { } progress)
        {
            tags["dashboard.stage.progress"] = progress;
        }

        lock (span)
        {
            span.AddEvent(new ActivityEvent(stage.Stage, stage.At, tags));
        }
    }

    private static void Close(Activity span, RunEnded ended)
    {
        lock (span)
        {
            var status = ended.Status.ToString().ToLowerInvariant();
            span.SetTag("dashboard.run.status", status);
            switch (ended.Status)
            {
                case RunStatus.Completed:
                    span.SetStatus(ActivityStatusCode.Ok);
                    break;
                case RunStatus.Failed:
                    span.SetStatus(ActivityStatusCode.Error, ended.Error);
                    break;
            }

            span.SetEndTime(ended.At.UtcDateTime);
            span.Stop();
        }
    }

    private static void SetIfKnown(Activity span, string key, int? value)
    {
        if (value is { } known)
        {
            span.SetTag(key, known);
        }
    }

    public void Dispose()
    {
        foreach (var span in _open.Values)
        {
            span.Dispose();
        }

        _open.Clear();
        _source.Dispose();
    }
}
