using Dashboard.Security;
using System.Net;
using Dashboard.Configuration;
using Microsoft.Extensions.Options;

namespace Dashboard.Hosting;

/// <summary>
/// Start-up validation of the proxy settings, one message per problem, each naming its key. It
/// validates <see cref="DashboardOptions"/> (reading the proxy keys of the same section), so its
/// problems are listed with every other problem of the section whichever part reads it first.
/// </summary>
public sealed class ProxyOptionsValidator(IConfiguration configuration) : IValidateOptions<DashboardOptions>
{
    private const string Root = DashboardOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.PublicUrl is { Length: > 0 } url && PublicAddress.Parse(url) is null)
        {
            failures.Add($"{Root}:PublicUrl must be an absolute http or https URL such as https://example.com/dashboard (is \"{url}\").");
        }

        Validate(configuration.GetSection(Root).Get<ProxyOptions>() ?? new ProxyOptions(), failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Validate(ProxyOptions options, List<string> failures)
    {
        if (options.PathBase is { Length: > 0 } pathBase
            && (!pathBase.StartsWith('/') || pathBase.Contains('?', StringComparison.Ordinal) || pathBase.Contains('#', StringComparison.Ordinal) || pathBase.Contains("//", StringComparison.Ordinal)))
        {
            failures.Add($"{Root}:PathBase must be a path such as /dashboard (is \"{pathBase}\").");
        }

        var settings = options.ForwardedHeaders;
        for (var i = 0; i < settings.KnownProxies.Count; i++)
        {
            if (!IPAddress.TryParse(settings.KnownProxies[i], out _))
            {
                failures.Add($"{Root}:ForwardedHeaders:KnownProxies:{i} must be an IP address such as 10.0.0.5 (is \"{settings.KnownProxies[i]}\").");
            }
        }

        for (var i = 0; i < settings.KnownNetworks.Count; i++)
        {
            if (!IPNetwork.TryParse(settings.KnownNetworks[i], out _))
            {
                failures.Add($"{Root}:ForwardedHeaders:KnownNetworks:{i} must be a network in CIDR form such as 10.0.0.0/8 (is \"{settings.KnownNetworks[i]}\").");
            }
        }

    }
}
