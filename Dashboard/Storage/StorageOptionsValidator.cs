using Dashboard.Configuration;
using Microsoft.Extensions.Options;

namespace Dashboard.Storage;

/// <summary>Start-up validation of <c>Dashboard:Storage</c>, each message naming its key.</summary>
internal sealed class StorageOptionsValidator : IValidateOptions<DashboardOptions>
{
    private const string Prefix = DashboardOptions.SectionName + ":Storage";

    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        var storage = options.Storage;
        var failures = new List<string>();
        if (!string.Equals(storage.Provider, StorageOptions.Sqlite, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(storage.Provider, StorageOptions.Memory, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(storage.Provider, StorageOptions.Postgres, StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{Prefix}:Provider \"{storage.Provider}\" is unknown; use {StorageOptions.Sqlite} (history kept), {StorageOptions.Memory} (history off) or {StorageOptions.Postgres} (shared by replicas).");
        }

        if (storage.RetentionDays < 1)
        {
            failures.Add($"{Prefix}:RetentionDays must be at least 1 (is {storage.RetentionDays}).");
        }

        if (storage.MaxRuns < 1)
        {
            failures.Add($"{Prefix}:MaxRuns must be at least 1 (is {storage.MaxRuns}).");
        }

        if (storage.ReplayWindow <= TimeSpan.Zero)
        {
            failures.Add($"{Prefix}:ReplayWindow must be a positive duration such as 1.00:00:00 (is {storage.ReplayWindow}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
