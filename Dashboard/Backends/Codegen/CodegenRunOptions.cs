using Dashboard.Domain;
using System.Text.Json;

namespace Dashboard.Backends.Codegen;

/// <summary>
/// The codegen backend's own request rules (prompt 10–5000 characters, a modification prompt at
/// most 2000; tech_stack, domain and generation_mode from fixed lists; see docs/protocols.md), so
/// the form reports them before the upstream does. Option names are the upstream's field names.
/// </summary>
public static class CodegenRunOptions
{
    public const int PromptMin = 10;
    public const int PromptMax = 5000;
    public const int ModificationPromptMax = 2000;

    public static readonly IReadOnlyList<string> TechStacks = ["fastapi_sqlite", "fastapi_postgres", "fastapi_mongo"];

    public static readonly IReadOnlyList<string> Domains =
        ["ecommerce", "social_media", "content_management", "task_management", "fintech", "healthcare", "general"];

    /// <summary>
    /// The upstream takes free-text constraints; the form offers this fixed set of common asks so
    /// they are spelled the same every time.
    /// </summary>
    public static readonly IReadOnlyList<string> Constraints =
        ["authentication", "authorization", "pagination", "rate_limiting", "caching", "logging", "unit_tests", "docker", "async_io"];

    public static readonly IReadOnlyList<string> GenerationModes = ["enhanced", "classic", "auto"];

    public static readonly IReadOnlyList<RunOptionField> Fields =
    [
        new("tech_stack", "Tech stack", RunOptionType.Choice, TechStacks, Help: "New generations only."),
        new("domain", "Domain", RunOptionType.Choice, Domains, Help: "New generations only."),
        new("constraints", "Constraints", RunOptionType.MultiChoice, Constraints, Help: "New generations only."),
        new("generation_mode", "Generation mode", RunOptionType.Choice, GenerationModes, Default: "auto"),
    ];

    public static IReadOnlyList<FieldError> Validate(RunRequest request)
    {
        var errors = new List<FieldError>();
        var iterating = request.ParentRunId is not null;
        var max = iterating ? ModificationPromptMax : PromptMax;
        var length = request.Prompt?.Length ?? 0;
        if (length < PromptMin || length > max)
        {
            var what = iterating ? "The modification prompt" : "The prompt";
            errors.Add(new FieldError("prompt", $"{what} must be {PromptMin}–{max} characters (it has {length})."));
        }

        // Like every kind: an option the upstream does not take is refused, not silently dropped.
        foreach (var name in (request.Options?.Keys ?? []).Where(n => !Fields.Any(f => f.Name == n)).Order(StringComparer.Ordinal))
        {
            errors.Add(new FieldError(name, "This backend has no such option."));
        }

        CheckChoice(request, "generation_mode", GenerationModes, errors);
        if (!iterating)
        {
            CheckChoice(request, "tech_stack", TechStacks, errors);
            CheckChoice(request, "domain", Domains, errors);
            if (Option(request, "constraints") is { } constraints)
            {
                if (constraints.ValueKind != JsonValueKind.Array || constraints.EnumerateArray().Any(c => c.ValueKind != JsonValueKind.String))
                {
                    errors.Add(new FieldError("constraints", "Constraints must be a list of strings."));
                }
                else if (constraints.EnumerateArray().Select(c => c.GetString()!).FirstOrDefault(c => !Constraints.Contains(c)) is { } unknown)
                {
                    errors.Add(new FieldError("constraints", $"Unknown constraint '{unknown}'; one of: {string.Join(", ", Constraints)}."));
                }
            }
        }

        return errors;
    }

    /// <summary>A string option, or null when absent, null or empty.</summary>
    public static string? Text(RunRequest request, string name) =>
        Option(request, name) is { ValueKind: JsonValueKind.String } v && v.GetString() is { Length: > 0 } s ? s : null;

    public static IReadOnlyList<string> List(RunRequest request, string name) =>
        Option(request, name) is { ValueKind: JsonValueKind.Array } v
            ? v.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
            : [];

    private static JsonElement? Option(RunRequest request, string name) =>
        request.Options is { } options && options.TryGetValue(name, out var v) && v.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
            ? v
            : null;

    private static void CheckChoice(RunRequest request, string name, IReadOnlyList<string> choices, List<FieldError> errors)
    {
        if (Option(request, name) is not { } value || (value.ValueKind == JsonValueKind.String && value.GetString() == ""))
        {
            return;
        }

        if (value.ValueKind != JsonValueKind.String || !choices.Contains(value.GetString()!))
        {
            errors.Add(new FieldError(name, $"Must be one of: {string.Join(", ", choices)}."));
        }
    }
}
