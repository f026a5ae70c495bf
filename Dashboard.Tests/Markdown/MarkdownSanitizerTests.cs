using AngleSharp.Html.Parser;
using Dashboard.Markdown;

namespace Dashboard.Tests.Markdown;

public sealed class MarkdownSanitizerTests
{
    private static readonly MarkdownHtml Html = new();

    public static TheoryData<string> Attacks => new()
    {
        "<script>alert(1)</script>",
        "Hello <img src=x onerror=alert(1)> there",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[vb](vbscript:msgbox(1))",
        "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
        "<svg onload=alert(1)><circle r=1 /></svg>",
        "<div style=\"background:url(javascript:alert(1));width:expression(alert(1))\">x</div>",
        "<a href=\"javascript:alert(1)\" onclick=\"alert(1)\">x</a>",
        "![img](javascript:alert(1))",
        "<javascript:alert(1)>",
        "[x](  javascript:alert(1)  )",
    };

    [Theory]
    [MemberData(nameof(Attacks))]
    public void Nothing_executable_survives(string markdown)
    {
        var document = new HtmlParser().ParseDocument("<body>" + Html.ToHtml(markdown) + "</body>");

        Assert.Empty(document.QuerySelectorAll("script, iframe, svg, img, object, embed, style, form"));
        foreach (var element in document.QuerySelectorAll("*"))
        {
            foreach (var attribute in element.Attributes)
            {
                Assert.False(attribute.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase), $"event handler {attribute.Name} kept");
                Assert.NotEqual("style", attribute.Name);
                Assert.NotEqual("srcdoc", attribute.Name);
            }
        }

        foreach (var link in document.QuerySelectorAll("a[href]"))
        {
            var href = link.GetAttribute("href")!;
            Assert.Matches("^(https?|mailto):", href);
        }
    }

    [Fact]
    public void Raw_html_is_shown_as_text()
    {
        var html = Html.ToHtml("Look: <script>alert(1)</script>");

        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Javascript_link_keeps_its_text_but_loses_the_target()
    {
        var document = new HtmlParser().ParseDocument(Html.ToHtml("[click me](javascript:alert(1))"));

        Assert.Contains("click me", document.Body!.TextContent, StringComparison.Ordinal);
        Assert.Null(document.QuerySelector("a[href]"));
    }

    [Theory]
    [InlineData("[site](https://example.com/a?b=1)", "https://example.com/a?b=1")]
    [InlineData("[plain](http://example.com)", "http://example.com")]
    [InlineData("[mail](mailto:someone@example.com)", "mailto:someone@example.com")]
    [InlineData("see https://example.org/x for more", "https://example.org/x")]
    public void Safe_links_open_apart_with_noopener(string markdown, string href)
    {
        var link = new HtmlParser().ParseDocument(Html.ToHtml(markdown)).QuerySelector("a")!;

        Assert.Equal(href, link.GetAttribute("href"));
        Assert.Equal("noopener noreferrer nofollow", link.GetAttribute("rel"));
        Assert.Equal("_blank", link.GetAttribute("target"));
    }

    [Fact]
    public void Relative_links_lose_their_target()
    {
        var document = new HtmlParser().ParseDocument(Html.ToHtml("[admin](/api/runs)"));

        Assert.Null(document.QuerySelector("a[href]"));
    }

    [Fact]
    public void Headings_lists_tables_tasks_and_emphasis_render()
    {
        const string markdown = "# Plan\n\n- **one**\n- ~~two~~\n\n- [x] done\n- [ ] open\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n";
        var document = new HtmlParser().ParseDocument(Html.ToHtml(markdown));

        Assert.Equal("Plan", document.QuerySelector("h1")!.TextContent);
        Assert.NotNull(document.QuerySelector("li strong"));
        Assert.NotNull(document.QuerySelector("li del"));
        Assert.Equal(2, document.QuerySelectorAll("td").Length);
        var boxes = document.QuerySelectorAll("input");
        Assert.Equal(2, boxes.Length);
        Assert.All(boxes, b => Assert.True(b.HasAttribute("disabled")));
        Assert.All(boxes, b => Assert.Equal("checkbox", b.GetAttribute("type")));
    }

    [Fact]
    public void Code_fences_are_highlighted_with_a_copy_button_and_escaped()
    {
        const string markdown = "```csharp\n// say hi\nvar s = \"<b>\" + 42;\n```\n";
        var document = new HtmlParser().ParseDocument(Html.ToHtml(markdown));

        var code = document.QuerySelector(".md-code pre code.language-csharp")!;
        Assert.Equal("// say hi\nvar s = \"<b>\" + 42;", code.TextContent);
        Assert.Equal("var", code.QuerySelector(".hl-k")!.TextContent);
        Assert.Equal("\"<b>\"", code.QuerySelector(".hl-s")!.TextContent);
        Assert.Equal("42", code.QuerySelector(".hl-n")!.TextContent);
        Assert.Equal("// say hi", code.QuerySelector(".hl-c")!.TextContent);
        Assert.Null(code.QuerySelector("b"));
        var button = document.QuerySelector("button.md-copy")!;
        Assert.Equal("button", button.GetAttribute("type"));
    }

    [Fact]
    public void A_hostile_info_string_is_not_used_as_a_class()
    {
        var html = Html.ToHtml("```\" onmouseover=\"alert(1)\nx\n```\n");
        var document = new HtmlParser().ParseDocument(html);

        Assert.Null(document.QuerySelector("code[class]"));
        Assert.Equal("text", document.QuerySelector(".md-code-lang")!.TextContent);
        Assert.DoesNotContain("onmouseover=", html, StringComparison.Ordinal);
    }
}
