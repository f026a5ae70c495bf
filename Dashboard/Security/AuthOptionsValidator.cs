using Dashboard.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Dashboard.Security;

/// <summary>Start-up validation of <c>Dashboard:Auth</c>, read the same way as sign-in reads it.</summary>
public sealed class AuthOptionsValidator : IValidateOptions<DashboardOptions>
{
    private const string Auth = DashboardOptions.SectionName + ":Auth";

    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        var auth = options.Auth;
        var failures = new List<string>();

        // A mode name in any case, empty for the default; never a number.
        var mode = auth.Mode?.Trim() ?? "";
        if (mode.Length > 0 && !Enum.GetNames<DashboardAuthMode>().Contains(mode, StringComparer.OrdinalIgnoreCase))
        {
            failures.Add($"{Auth}:Mode must be {DashboardAuthMode.BrowserToken} or {DashboardAuthMode.Unsecured} (is \"{auth.Mode}\").");
        }

        // The length only: the value is a secret and never goes into a message.
        if (!string.IsNullOrWhiteSpace(auth.Token) && auth.Token.Length < AuthOptions.MinTokenLength)
        {
            failures.Add($"{Auth}:Token must be at least {AuthOptions.MinTokenLength} characters (it has {auth.Token.Length}); leave it empty for a random token per start.");
        }

        if (!string.IsNullOrWhiteSpace(auth.ReadToken))
        {
            if (auth.ReadToken.Length < AuthOptions.MinTokenLength)
            {
                failures.Add($"{Auth}:ReadToken must be at least {AuthOptions.MinTokenLength} characters (it has {auth.ReadToken.Length}).");
            }
            else if (string.Equals(auth.ReadToken, auth.Token, StringComparison.Ordinal))
            {
                failures.Add($"{Auth}:ReadToken must differ from {Auth}:Token.");
            }
        }

        if (auth.SessionLifetime <= TimeSpan.Zero)
        {
            failures.Add($"{Auth}:SessionLifetime must be a positive duration such as 12:00:00 (is {auth.SessionLifetime}).");
        }

        if (auth.FailedAuthLimit < 1)
        {
            failures.Add($"{Auth}:FailedAuthLimit must be at least 1 (is {auth.FailedAuthLimit}).");
        }

        if (auth.FailedAuthWindow <= TimeSpan.Zero)
        {
            failures.Add($"{Auth}:FailedAuthWindow must be a positive duration such as 00:01:00 (is {auth.FailedAuthWindow}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

public static class AuthOptionsValidationServiceCollectionExtensions
{
    public static IServiceCollection AddAuthOptionsValidation(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DashboardOptions>, AuthOptionsValidator>());
        return services;
    }
}
