using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Dashboard.Storage;

namespace Dashboard.Api;

/// <summary>The opaque <c>before</c> cursor of GET /api/runs: sort, key and id, base64url.</summary>
internal static class RunCursorCodec
{
    public static string Encode(RunCursor cursor) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{(cursor.Sort == RunSort.Duration ? 'd' : 's')}|{cursor.Key}|{cursor.Id}")));

    public static RunCursor? TryDecode(string text)
    {
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text)).Split('|', 3);
            if (parts.Length == 3 && parts[0] is "s" or "d"
                && long.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var key) && parts[2].Length > 0)
            {
                return new RunCursor(parts[0] == "d" ? RunSort.Duration : RunSort.Started, key, parts[2]);
            }
        }
        catch (FormatException)
        {
            // Not one of ours: reported as malformed by the caller.
        }

        return null;
    }
}
