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

    /// <summary>Set by the development launch profile: the environment to use when nothing else names one.</summary>
    public const string LaunchEnvironmentVariable = "DASHBOARD_LAUNCH_ENVIRONMENT";

    /// <summary>
    /// The builder's options. The launch profile of <c>dotnet run</c> proposes Development without
    /// overriding an environment the user set (<c>ASPNETCORE_ENVIRONMENT=Production dotnet run</c>
    /// runs in Production). Started from another folder
    /// (<c>dotnet Dashboard/bin/Release/net10.0/Dashboard.dll</c>), the app would look for
    /// appsettings.json in that folder and silently miss its own: when the working directory has
    /// none, nothing names a content root, and the app's folder has one, the app's folder is the
    /// content root.
    /// </summary>
    public static WebApplicationOptions BuilderOptions(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (!IsEntryPoint)
        {
            return new WebApplicationOptions { Args = args };
        }

        return new WebApplicationOptions
        {
            Args = args,
            EnvironmentName = LaunchEnvironment(args),
            ContentRootPath = ContentRoot(args),
        };
    }

    private static string? LaunchEnvironment(string[] args) =>
        Environment.GetEnvironmentVariable(LaunchEnvironmentVariable) is { Length: > 0 } proposed
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT"))
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT"))
        && !Names(args, "--environment")
            ? proposed
            : null;

    private static string? ContentRoot(string[] args) =>
        Names(args, "--contentRoot")
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT"))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT"))
        || File.Exists(Path.Combine(Environment.CurrentDirectory, "appsettings.json"))
        || !File.Exists(Path.Combine(AppContext.BaseDirectory, "appsettings.json"))
            ? null
            : AppContext.BaseDirectory;

    private static bool Names(string[] args, string option) =>
        args.Any(a => a.StartsWith(option, StringComparison.OrdinalIgnoreCase));
}
