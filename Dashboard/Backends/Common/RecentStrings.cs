using System.Text.Json;

namespace Dashboard.Backends.Common;

/// <summary>
/// Short string values a stream repeats from item to item (an upstream's response id and model on
/// every chunk, a stage name and its message on every progress event), so reading one already seen
/// returns the string made the first time instead of a new one per item. One per decoder (one
/// stream), not thread-safe; bounded: 32 sets of two slots, each set keeping the two values last
/// used among those whose bytes hash to it, and values longer than <see cref="MaxBytes"/> are never
/// kept. A value not seen recently costs what reading it always cost (one string) plus a hash of
/// its bytes.
/// </summary>
internal sealed class RecentStrings
{
    public const int MaxBytes = 128;

    private const int Sets = 32;

    private readonly string?[] _slots = new string?[Sets * 2];

    /// <summary>The string value the reader is on (a string token).</summary>
    public string Get(ref Utf8JsonReader reader)
    {
        // An escaped or segmented value is read the ordinary way (and fails where a document read fails).
        if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > MaxBytes)
        {
            return reader.GetString()!;
        }

        var first = (int)(Hash(reader.ValueSpan) % Sets) * 2;
        if (_slots[first] is { } newest && reader.ValueTextEquals(newest))
        {
            return newest;
        }

        // The set's other value becomes its newest; a new value pushes out the one used least recently.
        var value = _slots[first + 1] is { } older && reader.ValueTextEquals(older) ? older : reader.GetString()!;
        _slots[first + 1] = _slots[first];
        _slots[first] = value;
        return value;
    }

    // FNV-1a: the same slots in every run, so what a given stream allocates does not vary from run to run.
    private static uint Hash(ReadOnlySpan<byte> utf8)
    {
        var hash = 2166136261u;
        foreach (var b in utf8)
        {
            hash = (hash ^ b) * 16777619u;
        }

        return hash;
    }
}
