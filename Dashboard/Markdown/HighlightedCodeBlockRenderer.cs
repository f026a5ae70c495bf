using Markdig;
using Markdig.Renderers;
using Markdig.Renderers.Html;
using Markdig.Syntax;

namespace Dashboard.Markdown;

/// <summary>
/// Renders code blocks as highlighted HTML with a toolbar (language, copy button). The copy button
/// is wired by wwwroot/js/markdown.js through one delegated listener: no inline script.
/// </summary>
public sealed class HighlightedCodeBlockRenderer : HtmlObjectRenderer<CodeBlock>
{
    private const int MaxLanguageLength = 24;

    protected override void Write(HtmlRenderer renderer, CodeBlock obj)
    {
        var language = Language(obj);
        var code = obj.Lines.ToString();

        renderer.EnsureLine();
        renderer.Write("<div class=\"md-code\"><div class=\"md-code-bar\"><span class=\"md-code-lang\">");
        renderer.WriteEscape(language ?? "text");
        renderer.Write("</span><button type=\"button\" class=\"md-copy\" aria-label=\"Copy code\">Copy</button></div><pre><code");
        if (language is not null)
        {
            renderer.Write(" class=\"language-");
            renderer.WriteEscape(language);
            renderer.Write('"');
        }

        renderer.Write('>');
        renderer.Write(CodeHighlighter.Highlight(code, language?.ToLowerInvariant()));
        renderer.Write("</code></pre></div>");
        renderer.EnsureLine();
    }

    /// <summary>The info string's first word, kept only if it looks like a language name (it is untrusted).</summary>
    private static string? Language(CodeBlock block)
    {
        if (block is not FencedCodeBlock { Info: { Length: > 0 } info })
        {
            return null;
        }

        var word = info.Split(' ', 2)[0];
        return word.Length <= MaxLanguageLength && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '#' or '+' or '-' or '_' or '.')
            ? word
            : null;
    }
}

/// <summary>Swaps Markdig's code block renderer for <see cref="HighlightedCodeBlockRenderer"/>.</summary>
public sealed class HighlightedCodeExtension : IMarkdownExtension
{
    public void Setup(MarkdownPipelineBuilder pipeline)
    {
    }

    public void Setup(MarkdownPipeline pipeline, IMarkdownRenderer renderer)
    {
        if (renderer is HtmlRenderer html)
        {
            html.ObjectRenderers.ReplaceOrAdd<CodeBlockRenderer>(new HighlightedCodeBlockRenderer());
        }
    }
}
