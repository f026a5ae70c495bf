using System.Collections.Frozen;
using System.Net;
using System.Text;

namespace Dashboard.Markdown;

/// <summary>
/// A small server-side highlighter for code fences: keywords, strings, comments and numbers of
/// common languages become <c>span</c>s with <c>hl-*</c> classes. One linear pass, no regex, no
/// JavaScript; everything else is HTML-escaped text. Unknown languages are escaped only.
/// </summary>
public static class CodeHighlighter
{
    private sealed record Language(
        FrozenSet<string> Keywords,
        string[] LineComments,
        (string Start, string End)? BlockComment,
        string Quotes,
        bool CaseInsensitive = false);

    private static readonly Language CLike = Lang(
        "abstract as async await base bool break byte case catch char checked class const continue decimal default delegate do double else enum event explicit extern false finally fixed float for foreach goto if implicit in int interface internal is lock long namespace new null object operator out override params private protected public readonly record ref return sbyte sealed short sizeof stackalloc static string struct switch this throw true try typeof uint ulong unchecked unsafe ushort using var virtual void volatile while yield get set init required file scoped when with not and or let dynamic nameof global partial where value",
        ["//"], ("/*", "*/"), "\"'");

    private static readonly Language JavaScript = Lang(
        "async await break case catch class const continue debugger default delete do else export extends false finally for from function if import in instanceof let new null of return static super switch this throw true try typeof undefined var void while with yield interface type enum implements private protected public readonly as any number string boolean unknown never",
        ["//"], ("/*", "*/"), "\"'`");

    private static readonly Language Python = Lang(
        "and as assert async await break class continue def del elif else except False finally for from global if import in is lambda None nonlocal not or pass raise return True try while with yield match case self",
        ["#"], null, "\"'");

    private static readonly Language Shell = Lang(
        "if then else elif fi for while until do done case esac in function return local export readonly set unset echo exit source alias cd",
        ["#"], null, "\"'");

    private static readonly Language Go = Lang(
        "break case chan const continue default defer else fallthrough for func go goto if import interface map package range return select struct switch type var nil true false string int int64 float64 bool error byte rune",
        ["//"], ("/*", "*/"), "\"'`");

    private static readonly Language Rust = Lang(
        "as async await break const continue crate dyn else enum extern false fn for if impl in let loop match mod move mut pub ref return self Self static struct super trait true type unsafe use where while Some None Ok Err String Vec Option Result",
        ["//"], ("/*", "*/"), "\"");

    private static readonly Language Java = Lang(
        "abstract assert boolean break byte case catch char class const continue default do double else enum extends final finally float for if implements import instanceof int interface long native new null package private protected public return short static super switch synchronized this throw throws transient true false try void volatile while var record",
        ["//"], ("/*", "*/"), "\"'");

    private static readonly Language Sql = Lang(
        "select from where and or not insert into values update set delete create table drop alter index join left right inner outer on group by order having limit offset as null is in exists distinct union all case when then else end primary key foreign references default count sum avg min max",
        ["--"], ("/*", "*/"), "'\"", caseInsensitive: true);

    private static readonly Language Json = Lang("true false null", [], null, "\"");

    private static readonly Language Yaml = Lang("true false null yes no", ["#"], null, "\"'");

    private static readonly FrozenDictionary<string, Language> Languages = new Dictionary<string, Language>(StringComparer.OrdinalIgnoreCase)
    {
        ["cs"] = CLike, ["csharp"] = CLike, ["c#"] = CLike, ["c"] = CLike, ["cpp"] = CLike, ["c++"] = CLike,
        ["js"] = JavaScript, ["javascript"] = JavaScript, ["ts"] = JavaScript, ["typescript"] = JavaScript,
        ["jsx"] = JavaScript, ["tsx"] = JavaScript,
        ["py"] = Python, ["python"] = Python,
        ["sh"] = Shell, ["bash"] = Shell, ["shell"] = Shell, ["zsh"] = Shell,
        ["go"] = Go, ["golang"] = Go,
        ["rs"] = Rust, ["rust"] = Rust,
        ["java"] = Java, ["kotlin"] = Java,
        ["sql"] = Sql,
        ["json"] = Json,
        ["yaml"] = Yaml, ["yml"] = Yaml,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    public static bool IsKnown(string? language) => language is not null && Languages.ContainsKey(language);

    /// <summary>HTML for the inside of a <c>code</c> element.</summary>
    public static string Highlight(string code, string? language)
    {
        if (language is null || !Languages.TryGetValue(language, out var lang))
        {
            return WebUtility.HtmlEncode(code);
        }

        var html = new StringBuilder(code.Length + (code.Length / 4));
        var plainStart = 0;
        var i = 0;
        while (i < code.Length)
        {
            var (kind, end) = Token(code, i, lang);
            if (kind is null)
            {
                i = end;
                continue;
            }

            Escape(html, code.AsSpan(plainStart, i - plainStart));
            html.Append("<span class=\"hl-").Append(kind).Append("\">");
            Escape(html, code.AsSpan(i, end - i));
            html.Append("</span>");
            i = plainStart = end;
        }

        Escape(html, code.AsSpan(plainStart));
        return html.ToString();
    }

    /// <returns>The token kind (null for plain text) and where it ends.</returns>
    private static (string? Kind, int End) Token(string code, int i, Language lang)
    {
        if (lang.BlockComment is var (start, stop) && string.CompareOrdinal(code, i, start, 0, start.Length) == 0)
        {
            var close = code.IndexOf(stop, i + start.Length, StringComparison.Ordinal);
            return ("c", close < 0 ? code.Length : close + stop.Length);
        }

        foreach (var prefix in lang.LineComments)
        {
            if (string.CompareOrdinal(code, i, prefix, 0, prefix.Length) == 0)
            {
                var eol = code.IndexOf('\n', i);
                return ("c", eol < 0 ? code.Length : eol);
            }
        }

        var c = code[i];
        if (lang.Quotes.Contains(c))
        {
            return ("s", StringEnd(code, i, c));
        }

        var previousIsWord = i > 0 && IsWord(code[i - 1]);
        if (char.IsAsciiDigit(c) && !previousIsWord)
        {
            var end = i + 1;
            while (end < code.Length && (char.IsAsciiLetterOrDigit(code[end]) || code[end] is '.' or '_'))
            {
                end++;
            }

            return ("n", end);
        }

        if (IsWord(c) && !previousIsWord)
        {
            var end = i + 1;
            while (end < code.Length && IsWord(code[end]))
            {
                end++;
            }

            var word = code.Substring(i, end - i);
            var isKeyword = lang.Keywords.Contains(lang.CaseInsensitive ? word.ToLowerInvariant() : word);
            return (isKeyword ? "k" : null, end);
        }

        return (null, i + 1);
    }

    private static int StringEnd(string code, int start, char quote)
    {
        var i = start + 1;
        while (i < code.Length)
        {
            var c = code[i];
            if (c == '\\')
            {
                i += 2;
                continue;
            }

            if (c == quote)
            {
                return i + 1;
            }

            // Only template strings span lines; an unclosed quote ends at the line so one typo does not colour the rest.
            if (c == '\n' && quote != '`')
            {
                return i;
            }

            i++;
        }

        return code.Length;
    }

    private static bool IsWord(char c) => char.IsLetterOrDigit(c) || c == '_';

    private static void Escape(StringBuilder html, ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            _ = c switch
            {
                '<' => html.Append("&lt;"),
                '>' => html.Append("&gt;"),
                '&' => html.Append("&amp;"),
                '"' => html.Append("&quot;"),
                '\'' => html.Append("&#39;"),
                _ => html.Append(c),
            };
        }
    }

    private static Language Lang(string keywords, string[] lineComments, (string, string)? blockComment, string quotes, bool caseInsensitive = false) =>
        new(keywords.Split(' ').ToFrozenSet(StringComparer.Ordinal), lineComments, blockComment, quotes, caseInsensitive);
}
