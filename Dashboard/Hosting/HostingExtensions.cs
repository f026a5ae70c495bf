using System.Net;
using Dashboard.Configuration;
using Dashboard.Security;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Dashboard.Hosting;

/// <summary>
/// Running outside a developer's machine: static web assets in every environment, a default
/// address, reverse proxies (forwarded headers, path base), health endpoints.
/// </summary>
public static class HostingExtensions
{
    /// <summary>Where the app listens when nothing says otherwise (same as the development launch profile).</summary>
    public const string DefaultUrl = "http://127.0.0.1:5102";

    public static WebApplicationBuilder AddDashboardHosting(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // Package assets (_content/MudBlazor, Dashboard.styles.css, the framework script) are found
        // through the build's static web assets manifest, which only Development reads by default;
        // published output has no manifest and serves them from its own wwwroot.
        builder.WebHost.UseStaticWebAssets();

        if (!SignInStartup.ConfiguredAddresses(builder.Configuration).Any())
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        var services = builder.Services;
        services.AddOptions<ProxyOptions>().Bind(builder.Configuration.GetSection(DashboardOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DashboardOptions>, ProxyOptionsValidator>());

        // Read from configuration, not from validated options: the pipeline is built before the
        // host starts, and a bad entry refuses the start (with every other problem) anyway.
        services.AddOptions<ForwardedHeadersOptions>().Configure<IConfiguration>((options, configuration) =>
        {
            var proxy = ReadProxy(configuration);
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var address in proxy.ForwardedHeaders.KnownProxies)
            {
                if (IPAddress.TryParse(address, out var ip))
                {
                    options.KnownProxies.Add(ip);
                }
            }

            foreach (var network in proxy.ForwardedHeaders.KnownNetworks)
            {
                if (System.Net.IPNetwork.TryParse(network, out var parsed))
                {
                    options.KnownIPNetworks.Add(parsed);
                }
            }
        });

        services.AddDashboardHealthChecks();
        return builder;
    }

    /// <summary>First in the pipeline: the client's scheme and address from a trusted proxy, then the path base.</summary>
    public static WebApplication UseDashboardHosting(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseForwardedHeaders();
        var pathBase = ReadProxy(app.Configuration).NormalizedPathBase;
        if (pathBase.HasValue)
        {
            app.UsePathBase(pathBase);
        }

        // Routing must see the path without its base, so it runs after UsePathBase.
        app.UseRouting();
        return app;
    }

    private static ProxyOptions ReadProxy(IConfiguration configuration) =>
        configuration.GetSection(DashboardOptions.SectionName).Get<ProxyOptions>() ?? new ProxyOptions();
}
