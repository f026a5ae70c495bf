using System.Globalization;
using System.Text;

namespace Dashboard.Benchmarks.Ingest;

/// <summary>
/// N code-generation progress events in the shape of the fixture codebegen-iteration.sse (same
/// fields, same compact JSON, 320–350 bytes each): the fixture's nine working stages in turn, each
/// with its own timestamp (the decoder skips exact repeats, as the backend replays its last 50),
/// ending with the terminal <c>iteration_complete</c>.
/// </summary>
public static class CodegenProgressStream
{
    private static readonly (string Stage, string Progress, string Message)[] Working =
    [
        ("iteration_start", "0.05", "Starting iteration analysis..."),
        ("intent_detection", "0.1", "Detected intent: add"),
        ("context_building", "0.2", "Building context from existing files..."),
        ("iteration_mode", "0.35", "Using iteration mode for focused changes"),
        ("code_generation", "0.4", "Generating add modifications..."),
        ("llm_generation", "0.5", "Sending request to Gemini (add)..."),
        ("gemini_processing", "0.6", "Waiting for Gemini response..."),
        ("parsing_response", "0.7", "Parsing generated files..."),
        ("merging_files", "0.8", "Merging changes with existing files..."),
    ];

    public const string TerminalStage = "iteration_complete";

    public static byte[] Build(int events) => Block(0, events, events);

    /// <summary>Events <paramref name="first"/>.. of a stream of <paramref name="total"/> (the last one is terminal), for streams too long to hold.</summary>
    public static byte[] Block(long first, int count, long total)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(first + count, total);
        var text = new StringBuilder(count * 360);
        for (var i = first; i < first + count; i++)
        {
            if (i == total - 1)
            {
                Append(text, "completed", TerminalStage, "1.0", "Iteration complete: 19 total files", i);
            }
            else
            {
                var (stage, progress, message) = Working[i % Working.Length];
                Append(text, "processing", stage, progress, message, i);
            }
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static void Append(StringBuilder text, string status, string stage, string progress, string message, long index)
    {
        var timestamp = (1737030904.5 + (index * 0.001)).ToString("F3", CultureInfo.InvariantCulture);
        text.Append("data: {\"generation_id\":\"89e2009c-5b1e-4c43-9d2a-5f0c1b7e2a11\",\"status\":\"").Append(status)
            .Append("\",\"stage\":\"").Append(stage)
            .Append("\",\"progress\":").Append(progress)
            .Append(",\"message\":\"").Append(message)
            .Append("\",\"ab_group\":null,\"enhanced_features\":null,\"generation_mode\":\"classic\",\"estimated_time_remaining\":null,\"current_file\":null,\"partial_output\":null,\"timestamp\":")
            .Append(timestamp).Append("}\n\n");
    }
}
