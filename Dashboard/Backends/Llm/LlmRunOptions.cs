using Dashboard.Domain;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dashboard.Backends.Llm;

/// <summary>
/// The form options the LLM kinds offer (named as the upstream names its body fields) and the
/// checks the upstreams themselves apply, so a bad value is refused before anything is sent.
/// </summary>
public static class LlmRunOptions
{
    public const string Prompt = "prompt";

    /// <summary>OpenAI (chat, responses) and Forge accept 0..2.</summary>
    public static RunOptionField Temperature(double max) => new(
        "temperature", "Temperature", RunOptionType.Number, Min: 0, Max: max,
        Help: $"Sampling temperature, 0–{max.ToString(CultureInfo.InvariantCulture)}; empty: the model's default.");

    public static RunOptionField MaxTokens(string name, string? defaultValue = null) => new(
        name, "Max tokens", RunOptionType.Number, Default: defaultValue, Min: 1, Max: 1_000_000,
        Help: "Most tokens the answer may use; empty: the backend's default.");

    public static IReadOnlyList<FieldError> Validate(RunRequest request, IReadOnlyList<RunOptionField> fields)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(request.Prompt))
        {
            errors.Add(new FieldError(Prompt, "A prompt is required."));
        }

        foreach (var (name, value) in request.Options ?? new Dictionary<string, JsonElement>())
        {
            var field = fields.FirstOrDefault(f => f.Name == name);
            if (field is null)
            {
                errors.Add(new FieldError(name, "This backend has no such option."));
            }
            else if (!IsEmpty(value) && Check(field, value) is { } problem)
            {
                errors.Add(new FieldError(name, problem));
            }
        }

        return errors;
    }

    /// <summary>Copies the given, non-empty options into the body as numbers (validated before).</summary>
    public static void AddTo(JsonObject body, RunRequest request, IReadOnlyList<RunOptionField> fields)
    {
        foreach (var field in fields)
        {
            if (request.Options?.TryGetValue(field.Name, out var value) == true && !IsEmpty(value) && ReadNumber(value) is { } number)
            {
                body[field.Name] = IsWhole(field) ? JsonValue.Create((long)number) : JsonValue.Create(number);
            }
        }
    }

    private static string? Check(RunOptionField field, JsonElement value)
    {
        if (ReadNumber(value) is not { } number)
        {
            return "Must be a number.";
        }

        if (number < field.Min || number > field.Max)
        {
            return $"Must be between {Format(field.Min ?? 0)} and {Format(field.Max ?? double.MaxValue)}.";
        }

        return IsWhole(field) && number != Math.Floor(number) ? "Must be a whole number." : null;
    }

    private static bool IsWhole(RunOptionField field) => field.Name is "max_tokens" or "max_output_tokens";

    private static bool IsEmpty(JsonElement value) =>
        value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined
        || (value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(value.GetString()));

    /// <summary>A JSON number, or a string holding one (what a form text box sends).</summary>
    private static double? ReadNumber(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetDouble(out var n) && double.IsFinite(n) => n,
        JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n) => n,
        _ => null,
    };

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
