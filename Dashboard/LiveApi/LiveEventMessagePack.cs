using System.Buffers;
using MessagePack;
using MessagePack.Formatters;

namespace Dashboard.LiveApi;

/// <summary>
/// Writes a <see cref="LiveEvent"/> for SignalR's MessagePack protocol: a map with the contract's
/// camelCase keys, <c>data</c> as a tree of plain values. An event shared by many subscribers is
/// serialized once per serializer options and its bytes are copied to each.
/// </summary>
public sealed class LiveEventMessagePackFormatter : IMessagePackFormatter<LiveEvent?>
{
    public void Serialize(ref MessagePackWriter writer, LiveEvent? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        if (value.Serialized is { } shared)
        {
            writer.WriteRaw(shared.MessagePack(value, options));
            return;
        }

        WriteFields(ref writer, value, options);
    }

    internal static void WriteFields(ref MessagePackWriter writer, LiveEvent value, MessagePackSerializerOptions options)
    {
        writer.WriteMapHeader(6);
        writer.Write("sequence");
        writer.Write(value.Sequence);
        writer.Write("type");
        writer.Write(value.Type);
        writer.Write("at");
        writer.Write(value.At);
        writer.Write("backend");
        writer.Write(value.Backend);
        writer.Write("runId");
        writer.Write(value.RunId);
        writer.Write("data");
        MessagePackSerializer.Serialize(ref writer, value.Data, options);
    }

    public LiveEvent? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        long sequence = 0;
        string type = "", at = "";
        string? backend = null, runId = null;
        object? data = null;
        var count = reader.ReadMapHeader();
        for (var i = 0; i < count; i++)
        {
            switch (reader.ReadString())
            {
                case "sequence":
                    sequence = reader.ReadInt64();
                    break;
                case "type":
                    type = reader.ReadString() ?? "";
                    break;
                case "at":
                    at = reader.ReadString() ?? "";
                    break;
                case "backend":
                    backend = reader.ReadString();
                    break;
                case "runId":
                    runId = reader.ReadString();
                    break;
                case "data":
                    data = MessagePackSerializer.Deserialize<object?>(ref reader, options);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return new LiveEvent(sequence, type, at, backend, runId, data);
    }
}
