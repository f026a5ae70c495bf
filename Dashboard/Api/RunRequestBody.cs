using Dashboard.Domain;
using System.Text.Json;
using Dashboard.Backends;
using Dashboard.Runs;

namespace Dashboard.Api;

/// <summary>
/// Reads the body of POST /api/runs by hand: a malformed body, a wrong type or an oversized body
/// gets the same problem+json field errors as any other bad input (the framework's binder would
/// answer with an empty 400), and the size bound holds on every server.
/// </summary>
internal static class RunRequestBody
{
    public const string BodyField = "body";

    public static async Task<Result> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return Result.TooLarge;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return Result.TooLarge;
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
            return Parse(document.RootElement);
        }
        catch (JsonException ex)
        {
            return Result.Fail(BodyField, $"The body is not valid JSON: {ex.Message}");
        }
        catch (InvalidOperationException)
        {
            // A property name that is not valid UTF-8 or holds a lone surrogate: no field to name.
            return Result.Fail(BodyField, BadText("A property name"));
        }
    }

    private static Result Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Result.Fail(BodyField, "The body must be a JSON object {backend, prompt, parentRunId?, options?}.");
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var backend = ReadString(root, RunFields.Backend, errors) ?? "";
        var prompt = ReadString(root, RunFields.Prompt, errors) ?? "";
        var parentRunId = ReadString(root, RunFields.ParentRunId, errors);
        var options = ReadOptions(root, errors);
        return errors.Count > 0
            ? new Result(null, errors, false)
            : new Result(new RunRequest(backend, prompt, string.IsNullOrEmpty(parentRunId) ? null : parentRunId, options), null, false);
    }

    private static string? ReadString(JsonElement root, string name, Dictionary<string, string[]> errors)
    {
        if (!TryGet(root, name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors[name] = [$"{name} must be a string."];
            return null;
        }

        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            // JSON allows escaped lone surrogates (\ud800) and the parser passes invalid UTF-8 in
            // strings; neither is text, and neither may reach a backend.
            errors[name] = [BadText(name)];
            return null;
        }
    }

    private static string BadText(string what) =>
        $"{what} is not valid text: it holds invalid UTF-8 or a lone surrogate (\\uD800-\\uDFFF without its pair).";

    /// <summary>Every string and property name inside <paramref name="value"/> decodes to valid text.</summary>
    private static bool IsValidText(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return TryText(value);
            case JsonValueKind.Array:
                return value.EnumerateArray().All(IsValidText);
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    if (!TryName(property) || !IsValidText(property.Value))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return true;
        }
    }

    private static bool TryText(JsonElement value)
    {
        try
        {
            _ = value.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool TryName(JsonProperty property)
    {
        try
        {
            _ = property.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static Dictionary<string, JsonElement>? ReadOptions(JsonElement root, Dictionary<string, string[]> errors)
    {
        if (!TryGet(root, RunFields.Options, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors[RunFields.Options] = ["options must be a JSON object whose keys are the upstream's own field names."];
            return null;
        }

        // Keys are the upstream's field names, kept exactly; values outlive the document.
        var options = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (!TryName(property) || !IsValidText(property.Value))
            {
                errors[RunFields.Options] = [BadText(TryName(property) ? $"options.{property.Name}" : "An option name")];
                return null;
            }

            options[property.Name] = property.Value.Clone();
        }

        return options;
    }

    private static bool TryGet(JsonElement root, string name, out JsonElement value)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    public sealed record Result(RunRequest? Request, IDictionary<string, string[]>? Errors, bool IsTooLarge)
    {
        public static readonly Result TooLarge = new(null, null, true);

        public static Result Fail(string field, string message) => new(null, new Dictionary<string, string[]> { [field] = [message] }, false);
    }
}
