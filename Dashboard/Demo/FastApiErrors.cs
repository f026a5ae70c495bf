namespace Dashboard.Demo;

/// <summary>FastAPI's error bodies: <c>{"detail": "..."}</c> and pydantic v2 validation errors (422).</summary>
public static class FastApiErrors
{
    public static IResult Detail(int statusCode, string detail) =>
        DemoSse.Json(DemoJson.Compact().StartObject().Property("detail", detail).EndObject().ToString(), statusCode);

    /// <summary>One pydantic validation error at <c>body.{field}</c>.</summary>
    public static IResult Validation(string field, string type, string message, string? input, int? limit = null)
    {
        var json = DemoJson.Compact().StartObject().Name("detail").StartArray().StartObject()
            .Property("type", type)
            .Name("loc").StartArray().String("body");
        if (field.Length > 0)
        {
            json.String(field);
        }

        json.EndArray().Property("msg", message).Property("input", input);
        if (limit is { } value)
        {
            json.Name("ctx").StartObject()
                .Property(type == "string_too_short" ? "min_length" : "max_length", value)
                .EndObject();
        }

        return DemoSse.Json(json.EndObject().EndArray().EndObject().ToString(), StatusCodes.Status422UnprocessableEntity);
    }

    /// <summary>Checks a required string field's length like a pydantic <c>Field(min_length, max_length)</c>.</summary>
    public static IResult? CheckLength(string field, string? value, int min, int max)
    {
        if (value is null)
        {
            return Validation(field, "missing", "Field required", null);
        }

        if (value.Length < min)
        {
            return Validation(field, "string_too_short", $"String should have at least {min} characters", value, min);
        }

        return value.Length > max
            ? Validation(field, "string_too_long", $"String should have at most {max} characters", value, max)
            : null;
    }
}
