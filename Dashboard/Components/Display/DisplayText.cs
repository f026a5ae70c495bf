using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Components;

namespace Dashboard.Components.Display;

/// <summary>How free text (prompts, names) is cut and broken for lists and titles, the same on every page.</summary>
public static class DisplayText
{
    public const int ShortLength = 80;

    public static string Shorten(string text, int length = ShortLength) =>
        text.Length <= length ? text : text[..length] + "…";

    /// <summary>
    /// An identifier-like name (stage, file, backend) HTML-encoded, with a line-break opportunity
    /// after each separator (_ - / . \), so a phone wraps "context_building" at the underscore
    /// rather than mid-word.
    /// </summary>
    public static MarkupString Breakable(string name)
    {
        var html = new StringBuilder(name.Length + 16);
        var start = 0;
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] is '_' or '-' or '/' or '.' or '\\')
            {
                html.Append(HtmlEncoder.Default.Encode(name[start..(i + 1)])).Append("<wbr>");
                start = i + 1;
            }
        }

        html.Append(HtmlEncoder.Default.Encode(name[start..]));
        return new MarkupString(html.ToString());
    }
}
