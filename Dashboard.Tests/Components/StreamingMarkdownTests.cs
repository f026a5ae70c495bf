using Bunit;
using Dashboard.Components.Controls;
using Dashboard.Markdown;
using Dashboard.State;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Components;

public sealed class StreamingMarkdownTests : BunitContext
{
    public StreamingMarkdownTests()
    {
        Services.AddSingleton(new MarkdownHtml());
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    [Fact]
    public void Finished_blocks_do_not_render_again_while_the_tail_grows()
    {
        var buffer = new TextBuffer(100_000);
        buffer.Append("# Title\n\nFirst paragraph.\n\nSecond");
        var cut = Render<StreamingMarkdown>(p => p.Add(x => x.Buffer, buffer));

        var blocks = cut.FindComponents<MarkdownBlockView>();
        Assert.Equal(3, blocks.Count);
        var finishedCounts = blocks.Take(2).Select(b => b.RenderCount).ToArray();

        for (var i = 0; i < 20; i++)
        {
            buffer.Append(" more");
            cut.Render(p => p.Add(x => x.Buffer, buffer));
        }

        blocks = cut.FindComponents<MarkdownBlockView>();
        Assert.Equal(finishedCounts, blocks.Take(2).Select(b => b.RenderCount));
        Assert.Equal(21, blocks[2].RenderCount);
        Assert.Contains("Second" + string.Concat(Enumerable.Repeat(" more", 20)), cut.Find("div.md-body p:last-child").TextContent, StringComparison.Ordinal);
        Assert.Equal(2, cut.Instance.Stream.Finished.Count);
    }

    [Fact]
    public void The_tail_keeps_its_component_when_it_finishes_and_then_freezes()
    {
        var buffer = new TextBuffer(100_000);
        buffer.Append("Para one");
        var cut = Render<StreamingMarkdown>(p => p.Add(x => x.Buffer, buffer));
        var tail = cut.FindComponent<MarkdownBlockView>();

        buffer.Append("\n\nPara two");
        cut.Render(p => p.Add(x => x.Buffer, buffer));
        var afterFinish = tail.RenderCount;
        buffer.Append(" grows");
        cut.Render(p => p.Add(x => x.Buffer, buffer));

        Assert.Same(tail.Instance, cut.FindComponents<MarkdownBlockView>()[0].Instance);
        Assert.True(tail.Instance.Finished);
        Assert.Equal(afterFinish, tail.RenderCount);
        Assert.Equal(["Para one", "Para two grows"], cut.FindAll("p").Select(p => p.TextContent));
    }

    [Fact]
    public void A_new_generation_replaces_every_block()
    {
        var buffer = new TextBuffer(100_000);
        buffer.Append("Old\n\nText");
        var cut = Render<StreamingMarkdown>(p => p.Add(x => x.Buffer, buffer));

        buffer.Replace("New");
        cut.Render(p => p.Add(x => x.Buffer, buffer));

        Assert.Equal(["New"], cut.FindAll("p").Select(p => p.TextContent));
    }

    [Fact]
    public void Script_in_the_stream_is_text_not_an_element()
    {
        var buffer = new TextBuffer(100_000);
        buffer.Append("Hi <script>alert(1)</script> <img src=x onerror=alert(1)>");
        var cut = Render<StreamingMarkdown>(p => p.Add(x => x.Buffer, buffer));

        Assert.Empty(cut.FindAll("script, img"));
        Assert.Contains("<script>alert(1)</script>", cut.Find("p").TextContent, StringComparison.Ordinal);
    }
}
