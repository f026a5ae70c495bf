namespace Dashboard.Hosting;

/// <summary>
/// Facts that hold only when this app is the process (<c>dotnet run</c>, <c>dotnet Dashboard.dll</c>,
/// a published build), not when a test host loads it: then it owns the exit code, the console
/// and the choice of content root.
/// </summary>
public static class DashboardProcess
{
    /// <summary>Host category whose start-up failure entry repeats a refusal with its stack trace.</summary>
    public const string HostLogCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    public static bool IsEntryPoint => System.Reflection.Assembly.GetEntryAssembly() == typeof(DashboardProcess).Assembly;

    /// <summary>
    /// The builder's options. Started from another folder (<c>dotnet Dashboard/bin/Release/net10.0/Dashboard.dll</c>),
    /// the app would look for appsettings.json in that folder and silently miss its own: when the
    /// working directory has none, nothing names a content root, and the app's folder has one, the
    /// app's folder is the content root.
    /// </summary>
    public static WebApplicationOptions BuilderOptions(string[] args)
    {
        var options = new WebApplicationOptions { Args = args };
        if (!IsEntryPoint
            || args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT"))
            || File.Exists(Path.Combine(Environment.CurrentDirectory, "appsettings.json"))
            || !File.Exists(Path.Combine(AppContext.BaseDirectory, "appsettings.json")))
        {
            return options;
        }

        return new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory };
    }
}
