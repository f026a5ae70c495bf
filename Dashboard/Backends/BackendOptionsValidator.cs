using Dashboard.Configuration;
using Dashboard.Security;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Dashboard.Backends;

/// <summary>
/// The backend rules, written once: a valid and unique name, a known kind, the kind's own option
/// rules, sane per-backend numbers. Start-up validates <c>Dashboard:Backends</c> with it (every
/// problem at once, each naming its key); <see cref="BackendHost"/> checks the backends of every
/// other source (the demo's) with the same <see cref="Check"/>.
/// </summary>
public sealed class BackendOptionsValidator(BackendKindRegistry kinds) : IValidateOptions<DashboardOptions>
{
    public static string KeyPrefix(int index) => $"{DashboardOptions.SectionName}:Backends:{index}";

    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        var failures = new List<string>();
        var taken = new Dictionary<string, string>(BackendNames.Comparer);
        for (var i = 0; i < options.Backends.Count; i++)
        {
            var backend = options.Backends[i];
            var prefix = KeyPrefix(i);
            failures.AddRange(Check(backend, prefix, taken));
            if (!string.IsNullOrWhiteSpace(backend.Name) && BackendNames.IsValid(backend.Name))
            {
                taken.TryAdd(backend.Name, prefix);
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>
    /// One backend's problems, each naming its key under <paramref name="keyPrefix"/>.
    /// <paramref name="taken"/>: names already in use, with the key prefix of the backend holding each.
    /// </summary>
    public IReadOnlyList<string> Check(BackendOptions backend, string keyPrefix, IReadOnlyDictionary<string, string> taken)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(backend.Name))
        {
            failures.Add($"{keyPrefix}:Name is required.");
        }
        else if (!BackendNames.IsValid(backend.Name))
        {
            failures.Add($"{keyPrefix}:Name \"{backend.Name}\" may contain only letters, digits, '-', '_' and '.' (it is used in URLs).");
        }
        else if (taken.TryGetValue(backend.Name, out var first))
        {
            failures.Add($"{keyPrefix}:Name \"{backend.Name}\" is already used by {first} (names are case-insensitive).");
        }

        if (backend.MaxConcurrentRuns < 1)
        {
            failures.Add($"{keyPrefix}:MaxConcurrentRuns must be at least 1 (is {backend.MaxConcurrentRuns}).");
        }

        if (backend.StallTimeout is { } stall && stall <= TimeSpan.Zero)
        {
            failures.Add($"{keyPrefix}:StallTimeout must be a positive duration such as 00:00:30 (is {stall}).");
        }

        if (backend.MaxRunDuration is { } maxRun && maxRun <= TimeSpan.Zero)
        {
            failures.Add($"{keyPrefix}:MaxRunDuration must be a positive duration such as 01:00:00 (is {maxRun}).");
        }

        CheckSecretLengths(backend, keyPrefix, failures);
        CheckKind(backend, keyPrefix, failures);
        return failures;
    }

    // Every credential is masked wherever it could appear; a shorter one could not be (see SecretRedactor.MinSecretLength).
    private static void CheckSecretLengths(BackendOptions backend, string keyPrefix, List<string> failures)
    {
        var secrets = new List<(string Key, string? Value)> { ("Password", backend.Password), ("ApiKey", backend.ApiKey) };
        secrets.AddRange(backend.Headers.Select(h => ($"Headers:{h.Key}", (string?)h.Value)));
        foreach (var (key, value) in secrets)
        {
            if (!string.IsNullOrEmpty(value) && !SecretRedactor.IsMaskable(value))
            {
                failures.Add($"{keyPrefix}:{key} must be at least {SecretRedactor.MinSecretLength} characters (it has {value.Length}): "
                    + "credentials and header values are masked in pages and logs, and a shorter value cannot be.");
            }
        }
    }

    private void CheckKind(BackendOptions backend, string keyPrefix, List<string> failures)
    {
        var known = string.Join(", ", kinds.Names.Order(StringComparer.Ordinal));
        if (string.IsNullOrWhiteSpace(backend.Kind))
        {
            failures.Add($"{keyPrefix}:Kind is required; known kinds: {known}.");
            return;
        }

        if (kinds.Find(backend.Kind) is not { } kind)
        {
            failures.Add($"{keyPrefix}:Kind \"{backend.Kind}\" is unknown; known kinds: {known}.");
            return;
        }

        failures.AddRange(kind.ValidateOptions(backend, keyPrefix));
    }
}

public static class BackendOptionsValidationServiceCollectionExtensions
{
    /// <summary>Start-up validation of <c>Dashboard:Backends</c> (needs a <see cref="BackendKindRegistry"/>).</summary>
    public static IServiceCollection AddBackendOptionsValidation(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DashboardOptions>, BackendOptionsValidator>());
        return services;
    }
}
