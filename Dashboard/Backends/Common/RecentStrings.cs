using System.Text.Json;

namespace Dashboard.Backends.Common;

/// <summary>
/// Short string values a stream repeats from item to item (an upstream's response id and model on
/// every chunk, a stage name and its message on every progress event), so reading one already seen
/// returns the string made the first time instead of a new one per item. One per decoder (one
/// stream), not thread-safe; bounded: a few slots, each holding the last value whose bytes hash
/// there, and values longer than <see cref="MaxBytes"/> are never kept. A value not seen before
/// costs what reading it always cost (one string) plus a hash of its bytes.
/// </summary>
internal sealed class RecentStrings
{
    public const int MaxBytes = 128;

    private readonly string?[] _slots = new string?[32];

    /// <summary>The string value the reader is on (a string token).</summary>
    public string Get(ref Utf8JsonReader reader)
    {
        // An escaped or segmented value is read the ordinary way (and fails where a document read fails).
        if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > MaxBytes)
        {
            return reader.GetString()!;
        }

        var hash = default(HashCode);
        hash.AddBytes(reader.ValueSpan);
        var slot = (int)((uint)hash.ToHashCode() % (uint)_slots.Length);
        if (_slots[slot] is { } known && reader.ValueTextEquals(known))
        {
            return known;
        }

        return _slots[slot] = reader.GetString()!;
    }
}
