using Dashboard.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Dashboard.Security;

/// <summary>Start-up validation of <c>Dashboard:Auth</c>, read the same way as sign-in reads it.</summary>
public sealed class AuthOptionsValidator : IValidateOptions<DashboardOptions>
{
    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        // A mode name in any case, empty for the default; never a number.
        var mode = options.Auth.Mode?.Trim() ?? "";
        return mode.Length > 0 && !Enum.GetNames<DashboardAuthMode>().Contains(mode, StringComparer.OrdinalIgnoreCase)
            ? ValidateOptionsResult.Fail($"{DashboardOptions.SectionName}:Auth:Mode must be {DashboardAuthMode.BrowserToken} or {DashboardAuthMode.Unsecured} (is \"{options.Auth.Mode}\").")
            : ValidateOptionsResult.Success;
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
