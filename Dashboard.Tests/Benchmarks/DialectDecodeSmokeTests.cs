using Dashboard.Benchmarks.Ingest;

namespace Dashboard.Tests.Benchmarks;

/// <summary>The dialect benchmark's two arms decode its whole answer to the same number of events; timing is never asserted.</summary>
public sealed class DialectDecodeSmokeTests
{
    [Theory]
    [InlineData(LlmDialect.Anthropic)]
    [InlineData(LlmDialect.OpenAiResponses)]
    [InlineData(LlmDialect.Forge)]
    public void Both_arms_decode_the_whole_answer(LlmDialect dialect)
    {
        var benchmark = new DialectDecodeBenchmarks { Dialect = dialect };
        benchmark.Setup();

        var reader = benchmark.Reader();
        var document = benchmark.Document();

        // One text event per token at least, and the answer ended (a decoder that never reached the end counts -1).
        Assert.InRange(reader, DialectDecodeBenchmarks.Items - 5, int.MaxValue);
        Assert.Equal(document, reader);
    }
}
