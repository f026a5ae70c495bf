using Dashboard.Api;
using Dashboard.Backends;
using Dashboard.Components;
using Dashboard.Configuration;
using Dashboard.Demo;
using Dashboard.Events;
using Dashboard.Hosting;
using Dashboard.Ingest;
using Dashboard.LiveApi;
using Dashboard.Runs;
using Dashboard.ScaleOut;
using Dashboard.Security;
using Dashboard.Storage;
using Dashboard.Telemetry;

try
{
    var builder = WebApplication.CreateBuilder(DashboardProcess.BuilderOptions(args));
    if (DashboardProcess.IsEntryPoint)
    {
        // A refused start is printed below, one problem per line; the host's own entry would
        // repeat it with a stack trace.
        builder.Logging.AddFilter(DashboardProcess.HostLogCategory, LogLevel.Critical);
    }

    // The repository's top-level appsettings.Development.json is the developer's settings file:
    // `dotnet run --project Dashboard` runs in Development with the content root in Dashboard/,
    // so it is read from one folder up (after Dashboard/appsettings.json, before environment variables).
    if (builder.Environment.IsDevelopment())
    {
        var devSettings = Path.GetFullPath(Path.Combine(builder.Environment.ContentRootPath, "..", "appsettings.Development.json"));
        builder.Configuration.AddJsonFile(devSettings, optional: true, reloadOnChange: false);
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);
    }

    builder.Services.AddRazorComponents()
        .AddInteractiveServerComponents()
        // A prompt travels over the circuit: its message limit follows the API's prompt limit.
        .AddHubOptions(o => o.MaximumReceiveMessageSize = Dashboard.Components.Forms.PromptLimits.ReceiveMessageSize(builder.Configuration));
    builder.Services.AddDashboardComponents();
    builder.Services.AddSingleton<Dashboard.Markdown.MarkdownHtml>();
    builder.Services.AddDashboardConfiguration(builder.Configuration);
    builder.AddDashboardHosting();
    builder.AddDashboardSecurity();
    builder.Services.AddBackendKinds();
    builder.Services.AddEventHub();
    builder.Services.AddHistoryStore();
    builder.Services.AddScaleOut(builder.Configuration);
    builder.Services.AddIngest();
    builder.Services.AddRuns();
    builder.Services.AddDashboardApi();
    builder.Services.AddLiveApi();
    builder.Services.AddDemo(builder.Configuration);
    builder.AddDashboardTelemetry();

    var app = builder.Build();

    app.UseDashboardHosting();
    if (!app.Environment.IsDevelopment())
    {
        app.UseExceptionHandler("/Error", createScopeForErrors: true);
    }

    app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
    app.UseDashboardSecurity();
    app.UseAntiforgery();

    // Static assets hold no data and are public (the sign-in page may use them); everything else
    // needs sign-in (fallback policy), see Dashboard/Security/DashboardSecurityExtensions.cs.
    app.MapStaticAssets().AllowAnonymous();
    app.MapDashboardHealth();
    app.MapDashboardMetrics();
    app.MapDashboardLogin();
    app.MapDemo();
    app.MapDashboardApi().RequireDashboardApi();
    app.MapRunDownloads();
    app.MapLiveApi();
    app.MapRazorComponents<App>()
        .AddInteractiveServerRenderMode();

    app.Run();
    return 0;
}
catch (Exception error) when (DashboardProcess.IsEntryPoint && StartupRefusal.Describe(error) is { } problems)
{
    // Only when this app is the process: a test host gets the exception itself.
    StartupRefusal.Write(Console.Error, problems);
    return StartupRefusal.ExitCode;
}

/// <summary>Entry point, visible to integration tests (WebApplicationFactory).</summary>
public partial class Program;
