using System.Runtime.InteropServices;
using System.Text.Json;
using Dashboard.Backends.Common;
using Dashboard.Backends.Llm;

namespace Dashboard.Backends.Forge;

/// <summary>
/// The fields of one Forge snapshot (the whole Response so far) that the decoder uses, noted in
/// one forward pass over the item's UTF-8 bytes. One instance is reused from event to event, so
/// reading a snapshot allocates nothing; text and tool details stay in the bytes until the decoder
/// uses them. A root that is not an object has no fields; malformed JSON throws the reader's
/// <see cref="JsonException"/>.
/// </summary>
internal sealed class ForgeSnapshot
{
    private readonly List<ForgeOutput> _outputs = [];
    private readonly List<ForgePart> _parts = [];
    private readonly List<Utf8Value> _queries = [];

    public bool IsObject { get; private set; }

    /// <summary>The <c>object</c> field ("response" for a Response).</summary>
    public Utf8Value Kind { get; private set; }

    public Utf8Value Id { get; private set; }

    public Utf8Value Model { get; private set; }

    public Utf8Value Status { get; private set; }

    /// <summary>The <c>error</c> value, whatever its type.</summary>
    public Utf8Value Error { get; private set; }

    public TokenCounts? Usage { get; private set; }

    /// <summary>The <c>output</c> items that are objects, in order.</summary>
    public ReadOnlySpan<ForgeOutput> Outputs => CollectionsMarshal.AsSpan(_outputs);

    /// <summary>The <c>content</c> parts of <paramref name="output"/> that are objects, in order.</summary>
    public ReadOnlySpan<ForgePart> Parts(in ForgeOutput output) => CollectionsMarshal.AsSpan(_parts).Slice(output.PartsStart, output.PartsCount);

    /// <summary>The <c>queries</c> of <paramref name="output"/> that are strings, in order.</summary>
    public ReadOnlySpan<Utf8Value> Queries(in ForgeOutput output) => CollectionsMarshal.AsSpan(_queries).Slice(output.QueriesStart, output.QueriesCount);

    public void Read(ReadOnlySpan<byte> utf8)
    {
        IsObject = false;
        Kind = Id = Model = Status = Error = default;
        Usage = null;
        ClearOutputs();

        var reader = new Utf8JsonReader(utf8);
        if (Utf8Fields.StartRoot(ref reader))
        {
            IsObject = true;
            ReadRoot(ref reader);
        }

        Utf8Fields.EndRoot(ref reader);
    }

    private void ReadRoot(ref Utf8JsonReader reader)
    {
        while (Utf8Fields.NextProperty(ref reader))
        {
            if (Utf8Fields.IsName(ref reader, "output"u8))
            {
                // A repeated output replaces the earlier one, as its last value counts.
                ClearOutputs();
                if (Utf8Fields.Array(ref reader))
                {
                    ReadOutputs(ref reader);
                }
            }
            else if (Utf8Fields.IsName(ref reader, "object"u8))
            {
                Kind = Utf8Fields.String(ref reader);
            }
            else if (Utf8Fields.IsName(ref reader, "id"u8))
            {
                Id = Utf8Fields.String(ref reader);
            }
            else if (Utf8Fields.IsName(ref reader, "model"u8))
            {
                Model = Utf8Fields.String(ref reader);
            }
            else if (Utf8Fields.IsName(ref reader, "status"u8))
            {
                Status = Utf8Fields.String(ref reader);
            }
            else if (Utf8Fields.IsName(ref reader, "error"u8))
            {
                Error = Utf8Fields.Value(ref reader);
            }
            else if (Utf8Fields.IsName(ref reader, "usage"u8))
            {
                Usage = Utf8Fields.Object(ref reader) ? TokenCounts.Read(ref reader) : null;
            }
            else
            {
                Utf8Fields.Skip(ref reader);
            }
        }
    }

    private void ReadOutputs(ref Utf8JsonReader reader)
    {
        while (Utf8Fields.NextElement(ref reader))
        {
            // An output that is not an object has no type and no content: it adds nothing.
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            var output = new ForgeOutput { PartsStart = _parts.Count, QueriesStart = _queries.Count };
            while (Utf8Fields.NextProperty(ref reader))
            {
                if (Utf8Fields.IsName(ref reader, "type"u8))
                {
                    output.Type = Utf8Fields.String(ref reader);
                }
                else if (Utf8Fields.IsName(ref reader, "id"u8))
                {
                    output.Id = Utf8Fields.String(ref reader);
                }
                else if (Utf8Fields.IsName(ref reader, "status"u8))
                {
                    output.Status = Utf8Fields.String(ref reader);
                }
                else if (Utf8Fields.IsName(ref reader, "name"u8))
                {
                    output.Name = Utf8Fields.String(ref reader);
                }
                else if (Utf8Fields.IsName(ref reader, "content"u8))
                {
                    // This output's parts are the last ones noted: a repeated content drops them.
                    _parts.RemoveRange(output.PartsStart, _parts.Count - output.PartsStart);
                    if (Utf8Fields.Array(ref reader))
                    {
                        ReadParts(ref reader);
                    }
                }
                else if (Utf8Fields.IsName(ref reader, "queries"u8))
                {
                    _queries.RemoveRange(output.QueriesStart, _queries.Count - output.QueriesStart);
                    if (Utf8Fields.Array(ref reader))
                    {
                        ReadQueries(ref reader);
                    }
                }
                else if (Utf8Fields.IsName(ref reader, "results"u8))
                {
                    output.Results = Utf8Fields.Array(ref reader) ? Utf8Fields.Count(ref reader) : null;
                }
                else
                {
                    Utf8Fields.Skip(ref reader);
                }
            }

            output.PartsCount = _parts.Count - output.PartsStart;
            output.QueriesCount = _queries.Count - output.QueriesStart;
            _outputs.Add(output);
        }
    }

    private void ReadParts(ref Utf8JsonReader reader)
    {
        while (Utf8Fields.NextElement(ref reader))
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            var part = default(ForgePart);
            while (Utf8Fields.NextProperty(ref reader))
            {
                if (Utf8Fields.IsName(ref reader, "type"u8))
                {
                    part.Type = Utf8Fields.String(ref reader);
                }
                else if (Utf8Fields.IsName(ref reader, "text"u8))
                {
                    part.Text = Utf8Fields.String(ref reader);
                }
                else
                {
                    Utf8Fields.Skip(ref reader);
                }
            }

            _parts.Add(part);
        }
    }

    private void ReadQueries(ref Utf8JsonReader reader)
    {
        while (Utf8Fields.NextElement(ref reader))
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                _queries.Add(Utf8Value.At(ref reader));
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private void ClearOutputs()
    {
        _outputs.Clear();
        _parts.Clear();
        _queries.Clear();
    }
}

/// <summary>One <c>output</c> item: a message (its parts) or a tool call (its progress).</summary>
internal struct ForgeOutput
{
    public Utf8Value Type;
    public Utf8Value Id;
    public Utf8Value Status;
    public Utf8Value Name;

    /// <summary>The length of <c>results</c> when it is an array.</summary>
    public int? Results;

    public int PartsStart;
    public int PartsCount;
    public int QueriesStart;
    public int QueriesCount;
}

/// <summary>One <c>content</c> part of an output.</summary>
internal struct ForgePart
{
    public Utf8Value Type;
    public Utf8Value Text;
}
