using System.Text.Json;
using Dashboard.Domain;

namespace Dashboard.Backends.Federation;

/// <summary>
/// The field errors of another dashboard's problem+json answer, so a refusal there reads the same
/// here: <c>errors</c> (field → messages, as validation problems and 404/429 carry them), else its
/// <c>detail</c> as a backend error.
/// </summary>
internal static class RemoteProblem
{
    private const int MaxErrors = 64;

    public static async Task<IReadOnlyList<FieldError>> FieldErrorsAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            return Read(document.RootElement);
        }
        catch (JsonException)
        {
            return [];
        }
    }

    public static IReadOnlyList<FieldError> Read(JsonElement root)
    {
        var errors = new List<FieldError>();
        if (root.ValueKind != JsonValueKind.Object)
        {
            return errors;
        }

        if (root.TryGetProperty("errors", out var fields) && fields.ValueKind == JsonValueKind.Object)
        {
            foreach (var field in fields.EnumerateObject())
            {
                if (field.Value.ValueKind != JsonValueKind.Array)
                {
                    continue;
                }

                foreach (var message in field.Value.EnumerateArray().Where(m => m.ValueKind == JsonValueKind.String).Take(MaxErrors - errors.Count))
                {
                    errors.Add(new FieldError(field.Name, message.GetString()!));
                }
            }
        }

        if (errors.Count == 0 && root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
        {
            errors.Add(new FieldError("backend", detail.GetString()!));
        }

        return errors;
    }
}
