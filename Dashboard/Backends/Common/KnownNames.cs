using System.Text;
using System.Text.Json;

namespace Dashboard.Backends.Common;

/// <summary>A dialect's event, item type or field names, so reading one that is known allocates nothing.</summary>
internal sealed class KnownNames
{
    private readonly (byte[] Utf8, string Name)[] _names;

    public KnownNames(params ReadOnlySpan<string> names)
    {
        _names = new (byte[] Utf8, string Name)[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            _names[i] = (Encoding.UTF8.GetBytes(names[i]), names[i]);
        }
    }

    public int Count => _names.Length;

    /// <summary>The index of the property name the reader is on (escaped or not), or -1.</summary>
    public int IndexOf(ref Utf8JsonReader reader)
    {
        for (var i = 0; i < _names.Length; i++)
        {
            if (Utf8Fields.IsName(ref reader, _names[i].Utf8))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The index of <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name)
    {
        for (var i = 0; i < _names.Length; i++)
        {
            if (string.Equals(_names[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The name whose UTF-8 bytes are <paramref name="utf8"/> (unescaped), or null.</summary>
    public string? Find(ReadOnlySpan<byte> utf8)
    {
        foreach (var (bytes, name) in _names)
        {
            if (utf8.SequenceEqual(bytes))
            {
                return name;
            }
        }

        return null;
    }
}
