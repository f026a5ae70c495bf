using System.Text.Json;

namespace Dashboard.Domain;

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
