using Dashboard.Ingest.Sse;

namespace Dashboard.Tests.Ingest;

/// <summary>Content-Type read as the fetch standard's "extract a MIME type" does (garbage included).</summary>
public sealed class EventStreamMediaTypeTests
{
    [Theory]
    [InlineData("text/event-stream")]
    [InlineData("text/event-stream;")]
    [InlineData("text/event-stream;;;")]
    [InlineData("Text/Event-Stream")]
    [InlineData("  text/event-stream  ; charset=utf-8")]
    [InlineData("text/event-stream; charset=\"a;b,c\"")]
    [InlineData("text/event-stream;bogus")]
    [InlineData("text/html, text/event-stream")]
    [InlineData("text/event-stream, /")]
    public void Accepted(string value) => Assert.True(EventStreamMediaType.IsEventStream([value]), value);

    [Theory]
    [InlineData("")]
    [InlineData("text/x-bogus")]
    [InlineData("x/x")]
    [InlineData("text/event-stream-x")]
    [InlineData("text /event-stream")]
    [InlineData("text/event stream")]
    [InlineData("text/event-stream, text/html")]
    [InlineData("event-stream")]
    public void Refused(string value) => Assert.False(EventStreamMediaType.IsEventStream([value]), value);

    [Fact]
    public void Several_header_lines_are_one_list_and_the_last_type_wins() =>
        Assert.Equal("text/event-stream", EventStreamMediaType.Extract(["text/plain", "text/event-stream;charset=utf-8"]));
}
