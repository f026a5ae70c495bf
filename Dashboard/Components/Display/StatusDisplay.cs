using Dashboard.Domain;
using MudBlazor;

namespace Dashboard.Components.Display;

/// <summary>One place that decides how a status looks (colour and words), so every page agrees.</summary>
public static class StatusDisplay
{
    public static Color Of(RunStatus status) => status switch
    {
        RunStatus.Completed => Color.Success,
        RunStatus.Failed => Color.Error,
        RunStatus.Cancelled or RunStatus.Interrupted => Color.Warning,
        RunStatus.Running => Color.Info,
        _ => Color.Default,
    };

    public static Color Of(StageStatus status) => status switch
    {
        StageStatus.Completed => Color.Success,
        StageStatus.Failed => Color.Error,
        StageStatus.Warning => Color.Warning,
        StageStatus.Cancelled => Color.Warning,
        _ => Color.Info,
    };

    public static Color Of(BackendState state) => state switch
    {
        BackendState.Connected => Color.Success,
        BackendState.Idle => Color.Default,
        BackendState.Connecting or BackendState.Reconnecting => Color.Warning,
        BackendState.Failed => Color.Error,
        _ => Color.Dark,
    };

    public static string Text(RunStatus status) => status.ToString().ToLowerInvariant();

    public static string Text(StageStatus status) => status.ToString().ToLowerInvariant();

    public static string Text(BackendState state) => state.ToString().ToLowerInvariant();

    /// <summary>The run a run-scoped event belongs to; null for graph and health events.</summary>
    public static string? RunIdOf(DashboardEvent e) => (e as RunEvent)?.RunId;
}
