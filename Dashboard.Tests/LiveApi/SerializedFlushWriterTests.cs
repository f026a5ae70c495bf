using System.Buffers;
using System.IO.Pipelines;
using Dashboard.LiveApi;

namespace Dashboard.Tests.LiveApi;

/// <summary>
/// The hub connection's output under stateful reconnect: a stream item's flush is pending (the
/// client is slow) when the acknowledgement timer writes and flushes too. On the bare pipe that
/// second flush fails (the live-fanout benchmark's "Websocket closed with error:
/// InternalServerError"); through <see cref="SerializedFlushWriter"/> it waits and both complete.
/// </summary>
public sealed class SerializedFlushWriterTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static async Task<Exception?> TwoFlushesWhileTheReaderIsBehindAsync(Func<PipeWriter, PipeWriter> output)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 16, resumeWriterThreshold: 8, useSynchronizationContext: false));
        var writer = output(pipe.Writer);
        try
        {
            writer.Write(new byte[64]);
            var item = writer.FlushAsync().AsTask();
            Assert.False(item.IsCompleted, "the first flush must be pending (over the pause threshold) for this test to mean anything");
            writer.Write(new byte[8]);
            var ack = writer.FlushAsync().AsTask();

            // The transport catches up and reads everything written.
            long read = 0;
            while (read < 72)
            {
                var result = await pipe.Reader.ReadAsync().AsTask().WaitAsync(Patience);
                read += result.Buffer.Length;
                pipe.Reader.AdvanceTo(result.Buffer.End);
            }

            await Task.WhenAll(item, ack).WaitAsync(Patience);
            return null;
        }
        catch (InvalidOperationException ex)
        {
            return ex;
        }
    }

    [Fact]
    public async Task On_a_bare_pipe_a_second_flush_while_one_is_pending_fails_as_the_hub_connection_did()
    {
        // The pipe's state is broken either way; which call notices first (and so the message) depends on timing.
        var error = await TwoFlushesWhileTheReaderIsBehindAsync(writer => writer);
        Assert.IsType<InvalidOperationException>(error);
    }

    [Fact]
    public async Task Through_the_serialized_writer_the_second_flush_waits_and_both_complete()
    {
        Assert.Null(await TwoFlushesWhileTheReaderIsBehindAsync(writer => new SerializedFlushWriter(writer)));
    }
}
