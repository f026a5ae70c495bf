using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dashboard.Storage;

/// <summary>The store's JSON: camelCase, enums by name, numbers and timestamps round-tripped exactly.</summary>
internal static class StoreJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}
