using Microsoft.Extensions.Options;

namespace Dashboard.Security;

/// <summary>
/// Keeps request URLs with query strings (the sign-in link's <c>?t=</c>) out of the logs.
/// ASP.NET Core's hosting diagnostics log "Request starting/finished" with the full query string
/// at Information; this pins that category to Warning for every provider, after all configuration
/// rules, so neither appsettings nor environment variables can lower it again. (Outgoing
/// HttpClient logs already replace query strings with <c>*</c> since .NET 9, and log header
/// values only redacted.)
/// </summary>
internal sealed class RequestUrlLogging : IPostConfigureOptions<LoggerFilterOptions>
{
    public const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public void PostConfigure(string? name, LoggerFilterOptions options)
    {
        // A provider-specific rule beats a general one, so the pin is repeated for each provider
        // any rule names; being added last, it also wins over an equally specific rule.
        var providers = options.Rules.Select(r => r.ProviderName).Distinct().ToArray();
        foreach (var provider in providers.Append(null).Distinct())
        {
            options.Rules.Add(new LoggerFilterRule(provider, HostingDiagnostics, LogLevel.Warning, filter: null));
        }
    }
}
