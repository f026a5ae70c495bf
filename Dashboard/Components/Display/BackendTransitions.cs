using Dashboard.Domain;

namespace Dashboard.Components.Display;

/// <summary>
/// Turns the backends' health, as it keeps changing, into alerts: one when a backend's connection
/// goes into trouble (failed, or lost and retrying) and one when it is back, never one per retry
/// or counter change. What a backend was in when the page opened is the baseline, not news.
/// </summary>
public sealed class BackendTransitions
{
    private readonly Dictionary<string, bool> _inTrouble = new(StringComparer.Ordinal);

    public static bool IsTrouble(BackendState state) => state is BackendState.Failed or BackendState.Reconnecting;

    /// <summary>Takes the current states as they are, without alerts (the page shows them already).</summary>
    public void Baseline(IEnumerable<BackendHealth> backends)
    {
        ArgumentNullException.ThrowIfNull(backends);
        foreach (var b in backends)
        {
            _inTrouble[b.Name] = IsTrouble(b.State);
        }
    }

    /// <summary>The alerts since the last call: one per backend whose trouble began or ended.</summary>
    public IReadOnlyList<BackendAlert> Observe(IEnumerable<BackendHealth> backends)
    {
        ArgumentNullException.ThrowIfNull(backends);
        List<BackendAlert>? alerts = null;
        foreach (var b in backends)
        {
            var trouble = IsTrouble(b.State);
            _inTrouble.TryGetValue(b.Name, out var was);
            _inTrouble[b.Name] = trouble;
            if (trouble && !was)
            {
                (alerts ??= []).Add(new BackendAlert(b.Name, true, Failed(b)));
            }
            else if (!trouble && was && b.State == BackendState.Connected)
            {
                (alerts ??= []).Add(new BackendAlert(b.Name, false, $"Backend {b.Name} is connected again."));
            }
        }

        return alerts ?? (IReadOnlyList<BackendAlert>)[];
    }

    private static string Failed(BackendHealth b) =>
        (b.State == BackendState.Failed ? $"Backend {b.Name} failed" : $"Backend {b.Name} lost its connection (retrying)")
        + (b.LastError is { Length: > 0 } error ? $": {DisplayText.Shorten(error, 200)}" : ".");
}

/// <param name="Failing">True when the trouble began; false when it ended.</param>
public sealed record BackendAlert(string Backend, bool Failing, string Message);
