using System.Buffers.Binary;
using System.Text;

namespace Dashboard.Tests.TestSupport;

/// <summary>A span as an OTLP receiver sees it: name, attributes, event names, status code (0 unset, 1 ok, 2 error).</summary>
internal sealed record OtlpSpan(string Name, IReadOnlyDictionary<string, object> Attributes, IReadOnlyList<string> Events, int StatusCode);

/// <summary>
/// Just enough of the protobuf wire format to read an OTLP/HTTP <c>ExportTraceServiceRequest</c>
/// (resource_spans → scope_spans → spans) in a test: written from the public .proto field numbers,
/// independent of the exporter's own code.
/// </summary>
internal static class OtlpSpans
{
    public static IReadOnlyList<OtlpSpan> Read(byte[] request)
    {
        var spans = new List<OtlpSpan>();
        foreach (var resourceSpans in Messages(request, 1))
        {
            foreach (var scopeSpans in Messages(resourceSpans, 2))
            {
                foreach (var span in Messages(scopeSpans, 2))
                {
                    spans.Add(ReadSpan(span));
                }
            }
        }

        return spans;
    }

    private static OtlpSpan ReadSpan(ReadOnlyMemory<byte> span)
    {
        var name = "";
        var attributes = new Dictionary<string, object>(StringComparer.Ordinal);
        var events = new List<string>();
        var status = 0;
        foreach (var field in Fields(span))
        {
            switch (field.Number)
            {
                case 5:
                    name = Encoding.UTF8.GetString(field.Bytes.Span);
                    break;
                case 9:
                    var (key, value) = ReadKeyValue(field.Bytes);
                    attributes[key] = value;
                    break;
                case 11:
                    events.Add(Fields(field.Bytes).Where(f => f.Number == 2).Select(f => Encoding.UTF8.GetString(f.Bytes.Span)).FirstOrDefault() ?? "");
                    break;
                case 15:
                    status = (int)Fields(field.Bytes).Where(f => f.Number == 3).Select(f => f.Varint).FirstOrDefault();
                    break;
            }
        }

        return new OtlpSpan(name, attributes, events, status);
    }

    private static (string Key, object Value) ReadKeyValue(ReadOnlyMemory<byte> keyValue)
    {
        var key = "";
        object value = "";
        foreach (var field in Fields(keyValue))
        {
            if (field.Number == 1)
            {
                key = Encoding.UTF8.GetString(field.Bytes.Span);
            }
            else if (field.Number == 2)
            {
                foreach (var any in Fields(field.Bytes))
                {
                    value = any.Number switch
                    {
                        1 => Encoding.UTF8.GetString(any.Bytes.Span),
                        2 => any.Varint != 0,
                        3 => (long)any.Varint,
                        4 => BitConverter.Int64BitsToDouble((long)any.Varint),
                        _ => value,
                    };
                }
            }
        }

        return (key, value);
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Messages(ReadOnlyMemory<byte> message, int number) =>
        Fields(message).Where(f => f.Number == number && f.WireType == 2).Select(f => f.Bytes);

    private readonly record struct Field(int Number, int WireType, ulong Varint, ReadOnlyMemory<byte> Bytes);

    /// <summary>Top-level fields of one message; fixed-width values come back in <see cref="Field.Varint"/>.</summary>
    private static List<Field> Fields(ReadOnlyMemory<byte> message)
    {
        var fields = new List<Field>();
        var position = 0;
        var span = message.Span;
        while (position < span.Length)
        {
            var tag = ReadVarint(span, ref position);
            var number = (int)(tag >> 3);
            var wireType = (int)(tag & 7);
            switch (wireType)
            {
                case 0:
                    fields.Add(new Field(number, wireType, ReadVarint(span, ref position), default));
                    break;
                case 1:
                    fields.Add(new Field(number, wireType, BinaryPrimitives.ReadUInt64LittleEndian(span[position..]), default));
                    position += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(span, ref position);
                    fields.Add(new Field(number, wireType, 0, message.Slice(position, length)));
                    position += length;
                    break;
                case 5:
                    fields.Add(new Field(number, wireType, BinaryPrimitives.ReadUInt32LittleEndian(span[position..]), default));
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"protobuf wire type {wireType} at {position}");
            }
        }

        return fields;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = span[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new InvalidDataException("varint longer than 10 bytes");
    }
}
