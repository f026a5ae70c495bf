using System.Text.Json;
using Dashboard.Backends.Common;
using Dashboard.Domain;

namespace Dashboard.Backends.Llm;

/// <summary>A usage object's <c>input_tokens</c>, <c>output_tokens</c> and <c>total_tokens</c>, each null when missing, null or not a 32-bit integer.</summary>
internal readonly record struct TokenCounts(int? Input, int? Output, int? Total)
{
    /// <summary>Reads the usage object the reader is on (its start).</summary>
    public static TokenCounts Read(ref Utf8JsonReader reader)
    {
        int? input = null, output = null, total = null;
        while (Utf8Fields.NextProperty(ref reader))
        {
            if (Utf8Fields.IsName(ref reader, "input_tokens"u8))
            {
                input = Utf8Fields.Int(ref reader);
            }
            else if (Utf8Fields.IsName(ref reader, "output_tokens"u8))
            {
                output = Utf8Fields.Int(ref reader);
            }
            else if (Utf8Fields.IsName(ref reader, "total_tokens"u8))
            {
                total = Utf8Fields.Int(ref reader);
            }
            else
            {
                Utf8Fields.Skip(ref reader);
            }
        }

        return new TokenCounts(input, output, total);
    }

    public Usage ToUsage() => new(Input, Output, Total);
}
