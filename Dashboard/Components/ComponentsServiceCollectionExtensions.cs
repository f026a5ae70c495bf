using Dashboard.Components.Controls;
using MudBlazor.Services;

namespace Dashboard.Components;

public static class ComponentsServiceCollectionExtensions
{
    /// <summary>
    /// How long MudBlazor batches popover detachments. Its queue wakes every period on every circuit,
    /// popover or not (0.5 s by default: two wake-ups a second for each open page doing nothing).
    /// A detached popover's browser-side listeners wait at most this long to be released; what is
    /// shown is unaffected (the provider stops rendering a popover when its component goes).
    /// </summary>
    public static readonly TimeSpan PopoverDetachBatch = TimeSpan.FromSeconds(5);

    /// <summary>What the pages need besides the hub: MudBlazor, and the status polls every page shares.</summary>
    public static IServiceCollection AddDashboardComponents(this IServiceCollection services)
    {
        services.AddMudServices(config => config.PopoverOptions.QueueDelay = PopoverDetachBatch);
        services.AddSingleton<StatusPolls>();
        return services;
    }
}
