using Dashboard.Components.Display;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace Dashboard.Components.Layout;

/// <summary>
/// The frame of every page. It starts from the preferences the browser's cookies gave the host
/// page (so the first paint has the right theme and clock), then asks the browser once per circuit
/// and cascades the reader's clock to every time on the page.
/// </summary>
public sealed partial class MainLayout
{
    // MudBlazor's default status colours put white text on mid-tone fills (3:1 or less): darker
    // shades keep every chip, alert and secondary text at WCAG AA contrast (4.5:1) in the light theme.
    private readonly MudTheme _theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Success = "#2e7d32",
            Warning = "#9a5b00",
            Error = "#c62828",
            Info = "#1565c0",
            TextSecondary = "rgba(0,0,0,0.68)",
        },
    };
    private bool _dark;
    private bool _drawerOpen = true;
    private BrowserClock _clock = BrowserClock.Unknown;
    private IJSObjectReference? _module;

    [Inject]
    private IJSRuntime JS { get; set; } = null!;

    [CascadingParameter]
    public BrowserPreferences? Preferences { get; set; }

    protected override void OnInitialized()
    {
        _dark = Preferences?.Dark ?? false;
        _clock = BrowserClock.For(Preferences?.TimeZone);
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            _module = await JS.InvokeAsync<IJSObjectReference>("import", "./js/theme.js");
            _dark = await _module.InvokeAsync<bool>("load");
            var clock = BrowserClock.For(await _module.InvokeAsync<string?>("timeZone"));
            if (clock != _clock && clock.Known)
            {
                _clock = clock;
            }

            StateHasChanged();
        }
    }

    private async Task ToggleDarkAsync()
    {
        _dark = !_dark;
        if (_module is not null)
        {
            await _module.InvokeVoidAsync("save", _dark);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_module is not null)
        {
            try
            {
                await _module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The circuit is gone; so is the browser side.
            }
        }
    }
}
