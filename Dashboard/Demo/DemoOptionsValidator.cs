using System.Globalization;
using Dashboard.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Dashboard.Demo;

/// <summary>Start-up validation of <c>Dashboard:Demo</c> (checked whether or not the demo is on, so a typo shows before it is switched on).</summary>
public sealed class DemoOptionsValidator : IValidateOptions<DashboardOptions>
{
    public ValidateOptionsResult Validate(string? name, DashboardOptions options) =>
        !double.IsFinite(options.Demo.TimeScale) || options.Demo.TimeScale <= 0
            ? ValidateOptionsResult.Fail($"{DashboardOptions.SectionName}:Demo:TimeScale must be a positive number (is {options.Demo.TimeScale.ToString(CultureInfo.InvariantCulture)}).")
            : ValidateOptionsResult.Success;
}

public static class DemoOptionsValidationServiceCollectionExtensions
{
    public static IServiceCollection AddDemoOptionsValidation(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DashboardOptions>, DemoOptionsValidator>());
        return services;
    }
}
