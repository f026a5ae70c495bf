using Dashboard.Configuration;

namespace Dashboard.Demo;

/// <summary>
/// What every demo upstream shares: the clock, the time scale, the seed and the forced outcome.
/// Each generator draws its own <see cref="Random"/> from <see cref="NewRandom"/>, so one run's
/// text does not depend on how other requests interleave.
/// </summary>
public sealed class DemoRuntime
{
    private readonly int _seed;
    private readonly long[] _ordinals = new long[8];

    public DemoRuntime(DemoOptions options, TimeProvider time, CancellationToken stopping = default)
    {
        Time = time;
        Stopping = stopping;
        TimeScale = options.TimeScale;
        ForcedOutcome = Validate(options);
        _seed = options.Seed ?? Random.Shared.Next();
    }

    public TimeProvider Time { get; }

    /// <summary>Signalled when the app stops, so open demo streams end instead of holding up shutdown.</summary>
    public CancellationToken Stopping { get; }

    public double TimeScale { get; }

    public DemoOutcome? ForcedOutcome { get; }

    /// <summary>A generator's randomness: the same seed, stream and ordinal always give the same sequence.</summary>
    public Random NewRandom(int stream, long ordinal = 0) =>
        new(unchecked((int)((_seed * 0x9E3779B1L) ^ (stream * 0x85EBCA77L) ^ (ordinal * 0xC2B2AE3DL))));

    /// <summary>The next run's randomness in a generator's stream (runs are numbered per stream from 1).</summary>
    public Random NextRandom(int stream) => NewRandom(stream, Interlocked.Increment(ref _ordinals[stream]));

    public TimeSpan Scale(TimeSpan delay) => delay * TimeScale;

    /// <summary>Waits a demo delay, time-scaled, on the injected clock.</summary>
    public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        var scaled = Scale(delay);
        return scaled <= TimeSpan.Zero
            ? Task.Delay(TimeSpan.Zero, cancellationToken)
            : Task.Delay(scaled, Time, cancellationToken);
    }

    public Task DelaySecondsAsync(double seconds, CancellationToken cancellationToken) =>
        DelayAsync(TimeSpan.FromSeconds(seconds), cancellationToken);

    /// <summary>A token for one streaming response: the client leaving or the app stopping ends it.</summary>
    public CancellationTokenSource Follow(CancellationToken requestAborted) =>
        CancellationTokenSource.CreateLinkedTokenSource(requestAborted, Stopping);

    /// <summary>Checks <c>Dashboard:Demo</c>, naming the key to fix; returns the forced outcome.</summary>
    public static DemoOutcome? Validate(DemoOptions options)
    {
        if (!DemoOutcomes.TryParse(options.Outcome, out var outcome))
        {
            throw new InvalidOperationException(
                $"Dashboard:Demo:Outcome is '{options.Outcome}'; use complete, warning, fail, drop or leave it empty.");
        }

        if (double.IsNaN(options.TimeScale) || double.IsInfinity(options.TimeScale) || options.TimeScale < 0)
        {
            throw new InvalidOperationException("Dashboard:Demo:TimeScale must be zero or a positive number.");
        }

        return outcome;
    }

    /// <summary>Unix time in seconds, as Python's <c>time.time()</c> reports it.</summary>
    public double UnixSeconds() => Time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
}
