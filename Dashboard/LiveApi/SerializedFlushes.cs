using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace Dashboard.LiveApi;

/// <summary>
/// Lets one flush of a hub connection's output wait for another instead of failing.
/// <para>
/// With stateful reconnect, SignalR's server-side message buffer acknowledges what the client sent
/// from a one-second timer, and that timer flushes the connection's output without waiting for a
/// stream item's flush that is still pending (a slow or busy client: the output is over its pause
/// threshold). Two pending flushes on one pipe throw "Concurrent reads or writes are not
/// supported", the connection is aborted and the client sees "Websocket closed with error:
/// InternalServerError". It happens right after a subscription starts (the timer acknowledges the
/// Subscribe call) while its snapshot and backlog are being written: under load, and with long texts.
/// </para>
/// <para>
/// A connection that reconnects statefully gets a new output from the transport, which this does
/// not wrap; the acknowledgement that could race there follows a new client call, which this hub's
/// subscribers do not make while streaming.
/// </para>
/// </summary>
internal static class SerializedFlushes
{
    public static IConnectionBuilder UseSerializedFlushes(this IConnectionBuilder builder) =>
        builder.Use(next => connection =>
        {
            connection.Transport = new DuplexPipe(connection.Transport.Input, new SerializedFlushWriter(connection.Transport.Output));
            return next(connection);
        });

    private sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}

/// <summary>A pipe writer whose flushes run one at a time (see <see cref="SerializedFlushes"/>); everything else goes straight through.</summary>
internal sealed class SerializedFlushWriter(PipeWriter inner) : PipeWriter
{
    private readonly SemaphoreSlim _flushing = new(1, 1);

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes;

    public override void Advance(int bytes) => inner.Advance(bytes);

    public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (!_flushing.Wait(0, CancellationToken.None))
        {
            return WaitThenFlushAsync(cancellationToken);
        }

        ValueTask<FlushResult> flush;
        try
        {
            flush = inner.FlushAsync(cancellationToken);
        }
        catch
        {
            _flushing.Release();
            throw;
        }

        if (flush.IsCompleted)
        {
            _flushing.Release();
            return flush;
        }

        return ReleaseAfterAsync(flush);
    }

    private async ValueTask<FlushResult> WaitThenFlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            return await inner.FlushAsync(cancellationToken);
        }
        finally
        {
            _flushing.Release();
        }
    }

    private async ValueTask<FlushResult> ReleaseAfterAsync(ValueTask<FlushResult> flush)
    {
        try
        {
            return await flush;
        }
        finally
        {
            _flushing.Release();
        }
    }
}
