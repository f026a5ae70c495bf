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

        // The dark defaults put mid-tone text on a dark grey (primary #776be7 is 3:1, secondary text
        // 4.3:1) and white on light fills: lighter tones with near-black text on fills keep every
        // text at 4.5:1 or more on the background (#32333d, kept so the first paint matches) and surface.
        PaletteDark = new PaletteDark
        {
            Primary = "#b0a8ff",
            PrimaryContrastText = "rgba(0,0,0,0.87)",
            Secondary = "#ff80ab",
            SecondaryContrastText = "rgba(0,0,0,0.87)",
            Tertiary = "#4dd0b5",
            TertiaryContrastText = "rgba(0,0,0,0.87)",
            Success = "#81c784",
            SuccessContrastText = "rgba(0,0,0,0.87)",
            Warning = "#ffb74d",
            WarningContrastText = "rgba(0,0,0,0.87)",
            Error = "#ef9a9a",
            ErrorContrastText = "rgba(0,0,0,0.87)",
            Info = "#90caf9",
            InfoContrastText = "rgba(0,0,0,0.87)",
            TextPrimary = "rgba(255,255,255,0.87)",
            TextSecondary = "rgba(255,255,255,0.70)",
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
