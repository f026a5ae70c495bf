using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dashboard.LiveApi;

/// <summary>
/// Writes a <see cref="LiveEvent"/> as the contract names it (camelCase, nulls written), on SSE and
/// SignalR's JSON protocol alike. An event shared by many subscribers is serialized once per
/// serializer options and its bytes are copied to each.
/// </summary>
public sealed class LiveEventJsonConverter : JsonConverter<LiveEvent>
{
    public override LiveEvent Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        return new LiveEvent(
            root.GetProperty("sequence").GetInt64(),
            root.GetProperty("type").GetString() ?? "",
            root.GetProperty("at").GetString() ?? "",
            Text(root, "backend"),
            Text(root, "runId"),
            root.TryGetProperty("data", out var data) ? LiveJson.ToTree(data) : null);
    }

    public override void Write(Utf8JsonWriter writer, LiveEvent value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Serialized is { } shared)
        {
            writer.WriteRawValue(shared.Json(value, options), skipInputValidation: true);
            return;
        }

        WriteFields(writer, value, options);
    }

    internal static void WriteFields(Utf8JsonWriter writer, LiveEvent value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteNumber("sequence", value.Sequence);
        writer.WriteString("type", value.Type);
        writer.WriteString("at", value.At);
        writer.WriteString("backend", value.Backend);
        writer.WriteString("runId", value.RunId);
        writer.WritePropertyName("data");
        JsonSerializer.Serialize(writer, value.Data, options);
        writer.WriteEndObject();
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>
/// The JSON and MessagePack of one shared live event, each made by the first subscriber that
/// writes it. A cache, not a value: any two are equal, so the event's record equality is what it
/// was without it.
/// </summary>
public sealed class SerializedLiveEvent
{
    private Cached? _json;
    private CachedPack? _messagePack;

    internal byte[] MessagePack(LiveEvent value, global::MessagePack.MessagePackSerializerOptions options)
    {
        if (Volatile.Read(ref _messagePack) is { } cached && ReferenceEquals(cached.Options, options))
        {
            return cached.Bytes;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new global::MessagePack.MessagePackWriter(buffer);
        LiveEventMessagePackFormatter.WriteFields(ref writer, value, options);
        writer.Flush();
        var bytes = buffer.WrittenSpan.ToArray();
        Volatile.Write(ref _messagePack, new CachedPack(options, bytes));
        return bytes;
    }

    internal byte[] Json(LiveEvent value, JsonSerializerOptions options)
    {
        if (Volatile.Read(ref _json) is { } cached && ReferenceEquals(cached.Options, options))
        {
            return cached.Bytes;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = options.Encoder, MaxDepth = options.MaxDepth }))
        {
            LiveEventJsonConverter.WriteFields(writer, value, options);
        }

        var bytes = buffer.WrittenSpan.ToArray();
        Volatile.Write(ref _json, new Cached(options, bytes));
        return bytes;
    }

    public override bool Equals(object? obj) => obj is SerializedLiveEvent;

    public override int GetHashCode() => 0;

    private sealed record Cached(JsonSerializerOptions Options, byte[] Bytes);

    private sealed record CachedPack(global::MessagePack.MessagePackSerializerOptions Options, byte[] Bytes);
}
