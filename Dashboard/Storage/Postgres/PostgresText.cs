using System.Text;

namespace Dashboard.Storage.Postgres;

/// <summary>
/// PostgreSQL text cannot hold U+0000, and the UTF-8 encoder refuses lone surrogates; an upstream
/// may send either. One such character must not fail a whole batch, so each becomes U+FFFD (the
/// only change the store makes to text; JSON columns escape them and are never affected).
/// </summary>
internal static class PostgresText
{
    public static string Clean(string text)
    {
        var i = FirstBad(text);
        if (i < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        builder.Append(text, 0, i);
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                builder.Append('\uFFFD');
            }
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else
            {
                builder.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }

        return builder.ToString();
    }

    private static int FirstBad(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0' || char.IsLowSurrogate(c))
            {
                return i;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    i++;
                }
                else
                {
                    return i;
                }
            }
        }

        return -1;
    }
}
