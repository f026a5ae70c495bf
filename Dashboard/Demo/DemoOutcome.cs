namespace Dashboard.Demo;

/// <summary>How one demo run ends.</summary>
public enum DemoOutcome
{
    Complete,
    Warning,
    Fail,

    /// <summary>The stream connection is cut once mid-run (the work itself continues where the protocol allows).</summary>
    Drop,
}

public static class DemoOutcomes
{
    /// <summary>Parses <c>Dashboard:Demo:Outcome</c>; empty means varied (null).</summary>
    public static bool TryParse(string? text, out DemoOutcome? outcome)
    {
        outcome = null;
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "":
                return true;
            case "complete":
                outcome = DemoOutcome.Complete;
                return true;
            case "warning":
                outcome = DemoOutcome.Warning;
                return true;
            case "fail":
                outcome = DemoOutcome.Fail;
                return true;
            case "drop":
                outcome = DemoOutcome.Drop;
                return true;
            default:
                return false;
        }
    }

    /// <summary>Mostly complete; now and then a warning, a failure or a dropped connection.</summary>
    public static DemoOutcome Pick(DemoOutcome? forced, Random random)
    {
        if (forced is { } outcome)
        {
            return outcome;
        }

        return random.Next(100) switch
        {
            < 80 => DemoOutcome.Complete,
            < 88 => DemoOutcome.Warning,
            < 95 => DemoOutcome.Fail,
            _ => DemoOutcome.Drop,
        };
    }
}
