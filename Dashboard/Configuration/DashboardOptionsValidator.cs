using Microsoft.Extensions.Options;

namespace Dashboard.Configuration;

/// <summary>
/// Start-up validation of <c>Dashboard:Limits</c>, the one section every part reads. The parts
/// validate their own sections (Backends, Auth, Demo) with their own <see cref="IValidateOptions{TOptions}"/>;
/// the options system gathers all their messages, so one failed start lists every problem, each
/// naming the configuration key to fix.
/// </summary>
public sealed class DashboardOptionsValidator : IValidateOptions<DashboardOptions>
{
    private const string Root = DashboardOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        var failures = new List<string>();
        ValidateLimits(options.Limits, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateLimits(LimitsOptions limits, List<string> failures)
    {
        Positive(limits.MaxEventBytes, nameof(limits.MaxEventBytes));
        Positive(limits.MaxLineBytes, nameof(limits.MaxLineBytes));
        Positive(limits.InspectorCapacity, nameof(limits.InspectorCapacity));
        Positive(limits.InspectorDataChars, nameof(limits.InspectorDataChars));
        Positive(limits.MaxRuns, nameof(limits.MaxRuns));
        Positive(limits.MaxRunTextChars, nameof(limits.MaxRunTextChars));
        Positive(limits.GraphHistoryPoints, nameof(limits.GraphHistoryPoints));
        Positive(limits.MaxPromptChars, nameof(limits.MaxPromptChars));
        Positive(limits.SubscriberQueueCapacity, nameof(limits.SubscriberQueueCapacity));

        void Positive(int value, string key)
        {
            if (value <= 0)
            {
                failures.Add($"{Root}:Limits:{key} must be positive (is {value}).");
            }
        }
    }
}
