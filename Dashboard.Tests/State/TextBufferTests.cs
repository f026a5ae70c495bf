using Dashboard.State;

namespace Dashboard.Tests.State;

public sealed class TextBufferTests
{
    [Fact]
    public void Appends_accumulate_in_order()
    {
        var buffer = new TextBuffer(1024);
        buffer.Append("Here");
        buffer.Append(" is");
        buffer.Append(" a plan");

        Assert.Equal("Here is a plan", buffer.ToString());
        Assert.Equal(0, buffer.Generation);
        Assert.False(buffer.Truncated);
    }

    [Fact]
    public void Replace_that_extends_the_text_is_an_append_in_the_same_generation()
    {
        var buffer = new TextBuffer(1024);
        buffer.Replace("Here");
        buffer.Replace("Here is");

        Assert.Equal("Here is", buffer.ToString());
        Assert.Equal(0, buffer.Generation);
    }

    [Fact]
    public void Replace_that_rewrites_the_text_starts_a_new_generation()
    {
        var buffer = new TextBuffer(1024);
        buffer.Append("draft one");
        buffer.Replace("final");

        Assert.Equal("final", buffer.ToString());
        Assert.Equal(1, buffer.Generation);
    }

    [Fact]
    public void Text_beyond_the_bound_is_cut_and_marked_truncated()
    {
        var buffer = new TextBuffer(10);
        buffer.Append("0123456");
        buffer.Append("789abc");

        Assert.Equal("0123456789", buffer.ToString());
        Assert.True(buffer.Truncated);
    }

    [Fact]
    public void A_reader_keeps_a_consistent_prefix_while_the_writer_grows_the_buffer()
    {
        var buffer = new TextBuffer(1 << 20);
        buffer.Append("abc");
        var (generation, before) = buffer.Read();

        for (var i = 0; i < 1000; i++)
        {
            buffer.Append("xyz");
        }

        Assert.Equal(0, generation);
        Assert.Equal("abc", before.ToString());
        Assert.Equal(3 + 3000, buffer.Length);
    }
}
