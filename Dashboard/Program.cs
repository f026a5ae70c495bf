using Dashboard.Api;
using Dashboard.Backends;
using Dashboard.Components;
using Dashboard.Configuration;
using Dashboard.Demo;
using Dashboard.Events;
using Dashboard.Ingest;
using Dashboard.LiveApi;
using Dashboard.Runs;
using Dashboard.Security;
using Dashboard.Storage;
using MudBlazor.Services;

var builder = WebApplication.CreateBuilder(args);

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
    .AddInteractiveServerComponents();
builder.Services.AddMudServices();
builder.Services.AddSingleton<Dashboard.Markdown.MarkdownHtml>();
builder.Services.AddDashboardConfiguration(builder.Configuration);
builder.AddDashboardSecurity();
builder.Services.AddBackendKinds();
builder.Services.AddEventHub();
builder.Services.AddHistoryStore();
builder.Services.AddIngest();
builder.Services.AddRuns();
builder.Services.AddDashboardApi();
builder.Services.AddLiveApi();
builder.Services.AddDemo(builder.Configuration);

var app = builder.Build();

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
app.MapDashboardLogin();
app.MapDemo();
app.MapDashboardApi().RequireDashboardApi();
app.MapRunDownloads();
app.MapLiveApi();
app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode();

app.Run();

/// <summary>Entry point, visible to integration tests (WebApplicationFactory).</summary>
public partial class Program;
