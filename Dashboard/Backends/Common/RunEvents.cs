using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Backends.Common;

/// <summary>Publishing a run's events from a decoder (stamped with the receive time) or a client.</summary>
public static class RunEvents
{
    public static string RequireRunId(this DecodeContext context) =>
        context.RunId ?? throw new InvalidOperationException("A run decoder needs a run id in its DecodeContext.");

    public static void Stage(this DecodeContext context, string stage, StageStatus status, string? message = null, double? progress = null) =>
        context.Emit(new RunStageReported
        {
            Backend = context.Backend, At = context.Now, RunId = context.RequireRunId(),
            Stage = stage, Status = status, Message = message, Progress = progress,
        });

    public static void Text(this DecodeContext context, string text, TextMode mode) =>
        context.Emit(new RunTextReceived { Backend = context.Backend, At = context.Now, RunId = context.RequireRunId(), Text = text, Mode = mode });

    public static void Metadata(this DecodeContext context, IReadOnlyDictionary<string, string> metadata) =>
        context.Emit(new RunMetadataReported { Backend = context.Backend, At = context.Now, RunId = context.RequireRunId(), Metadata = metadata });

    public static void Text(this RunContext run, string text, TextMode mode) => run.CreateDecodeContext().Text(text, mode);

    public static void Metadata(this RunContext run, IReadOnlyDictionary<string, string> metadata) => run.CreateDecodeContext().Metadata(metadata);

    /// <summary>Clamps a progress value to 0..1 (null stays null; NaN is dropped).</summary>
    public static double? Progress(double? value) =>
        value is { } v && !double.IsNaN(v) ? Math.Clamp(v, 0, 1) : null;
}
