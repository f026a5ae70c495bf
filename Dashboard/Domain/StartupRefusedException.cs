namespace Dashboard.Domain;

/// <summary>
/// Thrown by any part that cannot let the dashboard start (a store it cannot open, an address it
/// must not listen on): each entry of <see cref="Problems"/> is one line for the operator, naming
/// the configuration key or resource to fix. The entry point prints them without a stack trace and
/// exits with code 1.
/// </summary>
public class StartupRefusedException : InvalidOperationException
{
    public StartupRefusedException(IEnumerable<string> problems)
        : this([.. problems])
    {
    }

    public StartupRefusedException(string problem)
        : this([problem])
    {
    }

    /// <param name="inner">What went wrong underneath, kept for the log; the operator sees only <paramref name="problem"/>.</param>
    public StartupRefusedException(string problem, Exception? inner)
        : base(problem, inner)
    {
        Problems = [problem];
    }

    private StartupRefusedException(string[] problems)
        : base(string.Join(Environment.NewLine, problems))
    {
        if (problems.Length == 0)
        {
            throw new ArgumentException("A refusal names at least one problem.", nameof(problems));
        }

        Problems = problems;
    }

    public IReadOnlyList<string> Problems { get; }
}
