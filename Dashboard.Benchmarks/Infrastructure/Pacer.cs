using System.Diagnostics;

namespace Dashboard.Benchmarks.Infrastructure;

/// <summary>
/// Calls an action <c>count</c> times at a fixed rate on a dedicated thread (the schedule stays
/// independent of a loaded thread pool). Late items run at once, so the average rate holds.
/// </summary>
public static class Pacer
{
    /// <returns>The seconds the whole schedule took.</returns>
    public static Task<double> RunAsync(long count, double perSecond, Action<long> action, CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                var start = Stopwatch.GetTimestamp();
                var ticksPerItem = Stopwatch.Frequency / perSecond;
                for (long i = 0; i < count && !cancellationToken.IsCancellationRequested; i++)
                {
                    var due = start + (long)(i * ticksPerItem);
                    while (Stopwatch.GetTimestamp() < due)
                    {
                        Thread.Sleep(1);
                    }

                    action(i);
                }

                done.TrySetResult(Stopwatch.GetElapsedTime(start).TotalSeconds);
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "benchmark pacer",
        };
        thread.Start();
        return done.Task;
    }
}
