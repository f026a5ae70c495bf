using System.Text.Json;
using Dashboard.Configuration;

namespace Dashboard.Backends;

/// <summary>How the dashboard talks to one configured backend. Components never call it directly.</summary>
public interface IBackendClient
{
    BackendOptions Options { get; }

    /// <summary>The backend's own run options, for the form (codegen: tech_stack, domain, …).</summary>
    IReadOnlyList<RunOptionField> RunOptions { get; }

    /// <summary>Mirrors the upstream's own validation rules; empty when valid.</summary>
    IReadOnlyList<FieldError> ValidateRun(RunRequest request);

    /// <summary>
    /// Starts the run upstream and follows it to its end, publishing domain events through
    /// <paramref name="run"/>. Ends the run itself (RunEnded) on every path except cancellation,
    /// which the caller reports. Cancelling <paramref name="cancellationToken"/> aborts the HTTP work.
    /// </summary>
    Task RunAsync(RunContext run, CancellationToken cancellationToken);

    /// <summary>Upstream-side cancel (codegen POST /generations/{id}/cancel); LLM kinds need none.</summary>
    Task CancelAsync(RunContext run, CancellationToken cancellationToken);

    /// <summary>The always-on stream (graph stats, raw sse); returns when stopped. Kinds without one return at once.</summary>
    Task RunAlwaysOnAsync(CancellationToken cancellationToken);
}

/// <summary>Input of POST /api/runs and of the form. <see cref="Options"/> keys are the upstream's own field names.</summary>
public sealed record RunRequest(
    string Backend,
    string Prompt,
    string? ParentRunId = null,
    IReadOnlyDictionary<string, JsonElement>? Options = null);

public sealed record FieldError(string Field, string Message);

public enum RunOptionType { Text, Choice, MultiChoice, Number }

/// <summary>One backend-specific option on the form; <see cref="Name"/> is the upstream's field name.</summary>
public sealed record RunOptionField(
    string Name,
    string Label,
    RunOptionType Type,
    IReadOnlyList<string>? Choices = null,
    string? Default = null,
    string? Help = null,
    double? Min = null,
    double? Max = null);
