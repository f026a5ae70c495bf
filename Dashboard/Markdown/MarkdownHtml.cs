using Ganss.Xss;
using Markdig;
using Markdig.Renderers;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using AngleSharp.Dom;

namespace Dashboard.Markdown;

/// <summary>
/// Markdown (untrusted LLM text) to safe HTML: Markdig with raw HTML disabled and only safe
/// extensions, then HtmlSanitizer with a tight allow-list as a second wall. Links keep only
/// http/https/mailto targets and open with noopener. Images are dropped (an image URL in model
/// output is a classic data-exfiltration channel). Thread-safe: one instance serves every circuit.
/// </summary>
public sealed class MarkdownHtml
{
    private static readonly string[] AllowedSchemes = ["http", "https", "mailto"];

    private readonly MarkdownPipeline _pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseTaskLists()
        .UseAutoLinks()
        .Use<HighlightedCodeExtension>()
        .Build();

    private readonly HtmlSanitizer _sanitizer = CreateSanitizer();

    // Characters that, left unpaired in a paragraph's prefix, could pair with text after it
    // (emphasis and its extras, code spans, links, autolinks, escapes).
    private static readonly System.Buffers.SearchValues<char> Pairing = System.Buffers.SearchValues.Create("*_~=+^`[]<>\\");

    public string ToHtml(string markdown)
    {
        var html = Markdig.Markdown.ToHtml(markdown, _pipeline);
        return _sanitizer.Sanitize(html);
    }

    /// <summary>
    /// The sanitized inside of <paramref name="markdown"/> when it is exactly one paragraph
    /// (<c>&lt;p&gt;inner&lt;/p&gt;</c>). With <paramref name="requireClosed"/>, also only when no
    /// delimiter in it was left unpaired, so text appended after it cannot change how it parses.
    /// </summary>
    internal bool TryParagraphInner(string markdown, bool requireClosed, out string inner)
    {
        inner = "";
        var document = Markdig.Markdown.Parse(markdown, _pipeline);
        if (document.Count != 1 || document[0] is not ParagraphBlock paragraph || paragraph.Inline is null)
        {
            return false;
        }

        if (requireClosed && !IsClosed(paragraph.Inline))
        {
            return false;
        }

        using var writer = new StringWriter();
        var renderer = new HtmlRenderer(writer);
        _pipeline.Setup(renderer);
        renderer.Render(document);
        writer.Flush();
        var html = _sanitizer.Sanitize(writer.ToString());
        const string Open = "<p>", Close = "</p>\n";
        if (!html.StartsWith(Open, StringComparison.Ordinal) || !html.EndsWith(Close, StringComparison.Ordinal)
            || html.IndexOf("</p>", StringComparison.Ordinal) != html.Length - Close.Length)
        {
            return false;
        }

        inner = html[Open.Length..^Close.Length];
        return true;
    }

    private static bool IsClosed(ContainerInline inlines)
    {
        foreach (var literal in inlines.Descendants<LiteralInline>())
        {
            var slice = literal.Content;
            for (var i = slice.Start; i <= slice.End; i++)
            {
                var c = slice.Text[i];
                if (!Pairing.Contains(c))
                {
                    continue;
                }

                // An underscore inside a word can neither open nor close emphasis (snake_case).
                var intraword = c == '_' && i > 0 && i + 1 < slice.Text.Length
                    && char.IsLetterOrDigit(slice.Text[i - 1]) && char.IsLetterOrDigit(slice.Text[i + 1]);
                if (!intraword)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static HtmlSanitizer CreateSanitizer()
    {
        var options = new HtmlSanitizerOptions
        {
            AllowedTags = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            {
                "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "del", "s", "ins", "mark",
                "sub", "sup", "code", "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody",
                "tr", "th", "td", "span", "div", "input", "button",
            },
            AllowedAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            {
                "href", "title", "class", "start", "type", "checked", "disabled", "aria-label",
            },
            AllowedSchemes = new HashSet<string>(AllowedSchemes, StringComparer.OrdinalIgnoreCase),
            UriAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "href" },
            AllowedCssProperties = new HashSet<string>(StringComparer.OrdinalIgnoreCase),
            AllowedAtRules = new HashSet<AngleSharp.Css.Dom.CssRuleType>(),
        };

        var sanitizer = new HtmlSanitizer(options);
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is IElement element)
            {
                Harden(element);
            }
        };
        return sanitizer;
    }

    private static void Harden(IElement element)
    {
        switch (element.LocalName)
        {
            case "a":
                var href = element.GetAttribute("href");
                if (href is null || !IsAllowedLink(href))
                {
                    element.RemoveAttribute("href");
                    break;
                }

                element.SetAttribute("rel", "noopener noreferrer nofollow");
                element.SetAttribute("target", "_blank");
                break;
            case "input":
                // Task-list checkboxes only: never an editable or submitting control.
                element.SetAttribute("type", "checkbox");
                element.SetAttribute("disabled", "disabled");
                break;
            case "button":
                element.SetAttribute("type", "button");
                break;
        }
    }

    private static bool IsAllowedLink(string href) =>
        Uri.TryCreate(href.Trim(), UriKind.Absolute, out var uri) &&
        AllowedSchemes.Contains(uri.Scheme, StringComparer.OrdinalIgnoreCase);
}
