using Ganss.Xss;
using Markdig;
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

    public string ToHtml(string markdown)
    {
        var html = Markdig.Markdown.ToHtml(markdown, _pipeline);
        return _sanitizer.Sanitize(html);
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
