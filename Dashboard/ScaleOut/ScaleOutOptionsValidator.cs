using Dashboard.Configuration;
using Microsoft.Extensions.Options;

namespace Dashboard.ScaleOut;

/// <summary>
/// Start-up validation of <c>Dashboard:ScaleOut</c>, each message naming its key. Replicas can
/// share history only through PostgreSQL: a file or memory store would give each its own.
/// </summary>
internal sealed class ScaleOutOptionsValidator(IOptions<DashboardOptions> dashboard) : IValidateOptions<ScaleOutOptions>
{
    public ValidateOptionsResult Validate(string? name, ScaleOutOptions options)
    {
        var failures = new List<string>();
        if (options.LeaseTtl < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{ScaleOutOptions.SectionName}:LeaseTtl must be at least 1 second, such as 00:00:10 (is {options.LeaseTtl}).");
        }

        if (options.Enabled)
        {
            var provider = dashboard.Value.Storage.Provider;
            if (!string.Equals(provider, StorageOptions.Postgres, StringComparison.OrdinalIgnoreCase))
            {
                failures.Add(
                    $"{ScaleOutOptions.SectionName}:Redis is set, but Dashboard:Storage:Provider is {provider}: replicas share history only through PostgreSQL. Set Dashboard:Storage:Provider={StorageOptions.Postgres} and ConnectionStrings:Dashboard, or remove {ScaleOutOptions.SectionName}:Redis.");
            }
            else if (!TryParse(options.Redis!, out var problem))
            {
                failures.Add($"{ScaleOutOptions.SectionName}:Redis is not a StackExchange.Redis connection string ({problem}), such as 127.0.0.1:6379 or redis.internal:6379,password=….");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // The parser's own message may quote the string, password included: only its kind is reported.
    private static bool TryParse(string value, out string problem)
    {
        try
        {
            var parsed = StackExchange.Redis.ConfigurationOptions.Parse(value);
            problem = parsed.EndPoints.Count == 0 ? "no host:port" : "";
            return parsed.EndPoints.Count > 0;
        }
        catch (ArgumentException)
        {
            problem = "unreadable";
            return false;
        }
    }
}
