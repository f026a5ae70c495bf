using System.Text.Json;

namespace Dashboard.Demo;

/// <summary>
/// A JSON request body read by hand (no shared DTOs), with FastAPI's answers to garbage:
/// 422 <c>json_invalid</c>, <c>model_attributes_type</c>, <c>string_type</c>.
/// </summary>
public sealed class DemoRequestBody
{
    private const int MaxBodyBytes = 1024 * 1024;

    private DemoRequestBody(JsonElement root, IResult? error)
    {
        Root = root;
        Error = error;
    }

    public JsonElement Root { get; }

    /// <summary>The 422 to answer when the body is not a JSON object.</summary>
    public IResult? Error { get; }

    public static async Task<DemoRequestBody> ReadAsync(HttpRequest request, bool allowEmpty, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return new DemoRequestBody(default, FastApiErrors.Detail(StatusCodes.Status413PayloadTooLarge, "Request body too large"));
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length > MaxBodyBytes)
        {
            return new DemoRequestBody(default, FastApiErrors.Detail(StatusCodes.Status413PayloadTooLarge, "Request body too large"));
        }

        if (buffer.Length == 0)
        {
            return allowEmpty
                ? new DemoRequestBody(JsonDocument.Parse("{}").RootElement.Clone(), null)
                : new DemoRequestBody(default, FastApiErrors.Validation("", "missing", "Field required", null));
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray());
            var root = document.RootElement.Clone();
            return root.ValueKind == JsonValueKind.Object
                ? new DemoRequestBody(root, null)
                : new DemoRequestBody(default, FastApiErrors.Validation("", "model_attributes_type", "Input should be a valid dictionary or object to extract fields from", null));
        }
        catch (JsonException)
        {
            return new DemoRequestBody(default, FastApiErrors.Validation("", "json_invalid", "JSON decode error", null));
        }
    }

    /// <summary>A string member: absent or null gives null; another JSON type is a 422.</summary>
    public string? GetString(string name, out IResult? error)
    {
        error = null;
        if (!Root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            error = FastApiErrors.Validation(name, "string_type", "Input should be a valid string", value.GetRawText());
            return null;
        }

        return value.GetString();
    }

    /// <summary>A number member: absent or null gives null; another JSON type is a 422.</summary>
    public double? GetNumber(string name, out IResult? error)
    {
        error = null;
        if (!Root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number))
        {
            error = FastApiErrors.Validation(name, "float_parsing", "Input should be a valid number", value.GetRawText());
            return null;
        }

        return number;
    }
}
