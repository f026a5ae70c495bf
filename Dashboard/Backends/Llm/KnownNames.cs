using System.Text;

namespace Dashboard.Backends.Llm;

/// <summary>A dialect's event and item type names, so reading one that is known allocates nothing.</summary>
internal sealed class KnownNames(params string[] names)
{
    private readonly (byte[] Utf8, string Name)[] _names = [.. names.Select(n => (Encoding.UTF8.GetBytes(n), n))];

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
