using Dashboard.Components.Forms;
using Dashboard.Configuration;
using Microsoft.Extensions.Options;
using Dashboard.Events;
using Dashboard.Runs;
using Microsoft.AspNetCore.Components;

namespace Dashboard.Components.Pages;

/// <summary>The start form's page: binds <see cref="StartRunForm"/> to the markup and navigates to a started run.</summary>
public sealed partial class StartRun
{
    private StartRunForm _form = null!;
    private int _fieldMaxLength;

    [Inject]
    private IRunLauncher Launcher { get; set; } = null!;

    [Inject]
    private IEventHub Hub { get; set; } = null!;

    [Inject]
    private NavigationManager Navigation { get; set; } = null!;

    [Inject]
    private IOptions<DashboardOptions> Options { get; set; } = null!;

    [SupplyParameterFromQuery(Name = DashboardUrls.ParentQuery)]
    public string? Parent { get; set; }

    [SupplyParameterFromQuery(Name = DashboardUrls.AgainQuery)]
    public string? Again { get; set; }

    protected override void OnInitialized()
    {
        _form = new StartRunForm(Launcher, Hub.State, Parent, Again);
        _fieldMaxLength = PromptLimits.FieldMaxLength(Options.Value.Limits.MaxPromptChars);
    }

    private bool HasError(string field) => _form.ErrorFor(field) is not null;

    // MudBlazor validates the field again on blur with its own rules (Required) and would clear the
    // error this page passed in; giving it the page's own verdict keeps the reason on screen.
    private IEnumerable<string> PromptValidation(string? value) =>
        _form.ErrorFor(RunFields.Prompt) is { } error ? [error] : [];

    private async Task SubmitAsync()
    {
        if (_form.BeginSubmit() is not { } request)
        {
            return;
        }

        // Let the disabled "Starting…" button reach the browser before the launcher works.
        await Task.Yield();
        if (await _form.CompleteAsync(request) is { } runId)
        {
            Navigation.NavigateTo(DashboardUrls.Run(runId));
        }
    }
}
