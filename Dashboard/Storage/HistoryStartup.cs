using Dashboard.Configuration;
using Dashboard.Security;
using Dashboard.State;
using Microsoft.Extensions.Options;

namespace Dashboard.Storage;

/// <summary>Opens the store when the host starts (a refusal stops start-up), says where it is, and restores the graphs.</summary>
internal sealed class HistoryStartup(
    IHistoryStore store,
    DashboardState state,
    IOptions<DashboardOptions> options,
    IServiceProvider services,
    ILogger<HistoryStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var line = store.IsDurable
            ? $"History: {store.Location} ({(store.Provider == StorageOptions.Postgres ? Postgres.PostgresHistoryStore.ConnectionKey : "Dashboard:Storage:Path")})"
            : "History: off, kept in memory only (Dashboard:Storage:Provider=memory)";
        services.GetService<SignInConsole>()?.Out.WriteLine(line);
        logger.LogInformation("{History}", line);

        foreach (var graph in store.LatestGraphs(Math.Max(1, options.Value.Limits.GraphHistoryPoints)))
        {
            state.RestoreGraph(graph.Backend, graph.Stats, graph.History);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => store.FlushAsync(cancellationToken);
}
