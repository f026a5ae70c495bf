using System.Globalization;
using System.Text.RegularExpressions;

namespace Dashboard.Demo.Codegen;

/// <summary>
/// Plays one generation through the real server's stage sequence: an iteration's
/// (iteration_start … iteration_complete) or a phased generation's (initializing …
/// phased_generation_complete, then complete). During the long LLM wait the Markdown output
/// grows in <c>partial_output</c>. An iteration takes 10–30 s (time-scaled).
/// </summary>
public sealed partial class GenerationRunner(DemoRuntime runtime)
{
    private const double EventEverySeconds = 0.8;

    public Task RunAsync(DemoGeneration generation, Random random)
    {
        var token = generation.Running;
        return Task.Run(async () =>
        {
            try
            {
                await PlayAsync(generation, random, token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // Cancelled: the cancel already recorded its final event.
            }
        }, CancellationToken.None);
    }

    private async Task PlayAsync(DemoGeneration generation, Random random, CancellationToken token)
    {
        // The answer's file table and the final "N files" message tell the same count; the stack is FastAPI's unless the prompt names another.
        var files = generation.IsIteration ? random.Next(8, 40) : random.Next(12, 40);
        var output = DemoMarkdown.Compose(generation.Prompt, random, files, DemoMarkdown.Python);
        var totalSeconds = 10 + random.NextDouble() * 20;
        if (generation.IsIteration)
        {
            await IterateAsync(generation, output, files, totalSeconds, random, token);
        }
        else
        {
            await GenerateAsync(generation, output, files, totalSeconds, random, token);
        }
    }

    private async Task IterateAsync(DemoGeneration g, string output, int files, double totalSeconds, Random random, CancellationToken token)
    {
        var intent = Intent(g.Prompt);
        await StepAsync(g, 0.1, "iteration_start", 0.05, "Starting iteration analysis...", token);
        await StepAsync(g, 0.4, "intent_detection", 0.1, $"Detected intent: {intent}", token);
        await StepAsync(g, 1.0, "context_building", 0.2, "Building context from existing files...", token);
        await StepAsync(g, 0.5, "iteration_mode", 0.35, "Using iteration mode for focused changes", token);
        await StepAsync(g, 0.2, "code_generation", 0.4, $"Generating {intent} modifications...", token);
        await StepAsync(g, 0.3, "llm_generation", 0.5, $"Sending request to Gemini ({intent})...", token);
        await StepAsync(g, 0.5, "gemini_processing", 0.6, "Waiting for Gemini response...", token);

        var streamed = await StreamTextAsync(g, "gemini_processing", 0.6, 0.69, output, totalSeconds - 4.5, random, token);
        if (streamed is null)
        {
            g.Append("failed", "iteration_error", 0.6, "Iteration failed: upstream LLM timeout", g.Current().PartialOutput, final: true);
            return;
        }

        await StepAsync(g, 0.5, "parsing_response", 0.7, "Parsing generated files...", token, output);
        await StepAsync(g, 0.5, "merging_files", 0.8, "Merging changes with existing files...", token, output);
        if (g.Outcome == DemoOutcome.Warning)
        {
            await StepAsync(g, 0.4, "validation", 0.9, "Validation found 1 issue: unused import in app/schemas.py", token, output, "warning");
        }

        await runtime.DelaySecondsAsync(0.5, token);
        g.Append("completed", "iteration_complete", 1.0, $"Iteration complete: {files} total files", output, final: true);
    }

    private async Task GenerateAsync(DemoGeneration g, string output, int files, double totalSeconds, Random random, CancellationToken token)
    {
        var entities = random.Next(2, 4);
        await StepAsync(g, 0.2, "initializing", 0.05, "Initializing generation...", token);
        await StepAsync(g, 0.5, "phased_generation_started", 0.1, "Starting phased generation", token);
        await StepAsync(g, 1.0, "phase_1_complete", 0.2, $"Phase 1 complete: {entities} entities identified", token);
        await StepAsync(g, 0.3, "llm_generation", 0.3, "Generating code with the LLM...", token);

        var streamed = await StreamTextAsync(g, "llm_generation", 0.3, 0.6, output, totalSeconds - 6, random, token);
        if (streamed is null)
        {
            g.Append("failed", "error", 0.3, "Generation failed: upstream LLM timeout", g.Current().PartialOutput, final: true);
            return;
        }

        for (var i = 1; i <= entities; i++)
        {
            var progress = 0.6 + 0.15 * i / entities;
            await StepAsync(g, 0.3, $"entity_processing_{i}", Math.Round(progress - 0.05, 2), $"Processing entity {i} of {entities}", token, output);
            await StepAsync(g, 0.3, $"entity_complete_{i}", Math.Round(progress, 2), $"Entity {i} complete", token, output);
        }

        await StepAsync(g, 0.3, "phase_5_start", 0.8, "Phase 5: wiring routers and services", token, output);
        await StepAsync(g, 0.4, "phase_5_complete", 0.85, "Phase 5 complete", token, output);
        await StepAsync(g, 0.3, "phase_6_start", 0.88, "Phase 6: validation and documentation", token, output);
        if (g.Outcome == DemoOutcome.Warning)
        {
            await StepAsync(g, 0.3, "validation", 0.9, "Validation found 1 issue: missing type hint in app/repository.py", token, output, "warning");
        }

        await StepAsync(g, 0.4, "phase_6_complete", 0.92, "Phase 6 complete", token, output);
        // The real server's quirk: this intermediate stage already says "completed".
        await StepAsync(g, 0.3, "phased_generation_complete", 0.95, "Phased generation complete", token, output, "completed");
        await runtime.DelaySecondsAsync(0.3, token);
        g.Append("completed", "complete", 1.0, $"Generation complete: {files} files", output, final: true);
    }

    private async Task StepAsync(
        DemoGeneration g, double delaySeconds, string stage, double progress, string message, CancellationToken token,
        string? partialOutput = null, string status = "processing")
    {
        await runtime.DelaySecondsAsync(delaySeconds, token);
        g.Append(status, stage, progress, message, partialOutput, final: false);
    }

    /// <summary>
    /// Streams the output into <c>partial_output</c> at a jittered token rate over about
    /// <paramref name="seconds"/>. Returns null when the run's outcome is a failure (part-way through).
    /// </summary>
    private async Task<string?> StreamTextAsync(
        DemoGeneration g, string stage, double fromProgress, double toProgress, string output, double seconds,
        Random random, CancellationToken token)
    {
        var tokens = DemoMarkdown.Tokenize(output);
        var perToken = Math.Max(seconds, 3) / tokens.Count;
        var failAt = g.Outcome == DemoOutcome.Fail ? random.Next(tokens.Count / 5, tokens.Count / 2) : -1;
        var dropAt = g.Outcome == DemoOutcome.Drop ? random.Next(tokens.Count / 4, tokens.Count / 2) : -1;
        var length = 0;
        var pending = 0.0;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (i == failAt)
            {
                return null;
            }

            length += tokens[i].Length;
            pending += perToken * (0.4 + random.NextDouble() * 1.2);
            if (pending < EventEverySeconds && i < tokens.Count - 1)
            {
                continue;
            }

            await runtime.DelaySecondsAsync(pending, token);
            pending = 0;
            var progress = Math.Round(fromProgress + (toProgress - fromProgress) * (i + 1) / tokens.Count, 3);
            g.Append("processing", stage, progress, $"Receiving response... ({i + 1} tokens)", output[..length], final: false);
            if (dropAt >= 0 && i >= dropAt)
            {
                g.ArmDrop();
                dropAt = -1;
            }
        }

        return output;
    }

    private static string Intent(string prompt)
    {
        var verb = IntentPattern().Match(prompt);
        return verb.Success ? verb.Value.ToLower(CultureInfo.InvariantCulture) : "modify";
    }

    [GeneratedRegex(@"\b(add|fix|remove|refactor|update|rename)\b", RegexOptions.IgnoreCase)]
    private static partial Regex IntentPattern();
}
