using Dashboard.Backends;
using Dashboard.Backends.Federation;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.State;
using Dashboard.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.Backends.Federation;

/// <summary>
/// A cancel of a federated run goes to the other dashboard. When that dashboard answers 404 (its
/// store changed and the link has not reconnected yet), nothing there will ever end the run here:
/// it ends here as interrupted, saying why. Any other refusal leaves the run to the link.
/// </summary>
public sealed class FederatedCancelTests
{
    private sealed class StateSink(DashboardState state) : IDomainEventSink
    {
        private long _sequence;

        public long Publish(DashboardEvent e)
        {
            var sequence = Interlocked.Increment(ref _sequence);
            state.Apply(e, sequence);
            return sequence;
        }
    }

    [Fact]
    public async Task A_run_the_other_dashboard_no_longer_knows_ends_here_as_interrupted_and_a_run_it_refuses_stays_in_flight()
    {
        var next = 0;
        var asked = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var child = await LoopbackUpstream.StartAsync(app =>
        {
            app.Use(async (context, after) =>
            {
                asked.Enqueue($"{context.Request.Method} {context.Request.Path}");
                await after(context);
            });
            app.MapPost("/api/runs", () => Results.Accepted(value: new { id = $"child-{Interlocked.Increment(ref next)}" }));
            app.MapPost("/api/runs/child-1/cancel", () => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown run"));
            app.MapPost("/api/runs/child-2/cancel", () => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Run not in flight"));
        });
        var state = new DashboardState(Options.Create(new DashboardOptions()));
        await using var link = new DashboardLinkClient(
            new BackendOptions { Name = "lab", Kind = DashboardKind.Name, BaseUrl = child.BaseUrl },
            new StateSink(state),
            TimeProvider.System,
            () => "parent-instance",
            monitors: null,
            NullLogger<DashboardLinkClient>.Instance,
            state: state);
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var lost = await link.StartAsync("alpha", new RunRequest("lab/alpha", "first"), null, patience.Token);
        var refused = await link.StartAsync("alpha", new RunRequest("lab/alpha", "second"), null, patience.Token);
        Assert.Equal(FederatedStartOutcome.Started, lost.Outcome);
        Assert.Equal(FederatedStartOutcome.Started, refused.Outcome);
        Assert.False(state.GetRun(lost.RunId!)!.Status.IsTerminal());

        Assert.False(await link.CancelAsync("child-1", patience.Token));
        var ended = state.GetRun(lost.RunId!)!;
        Assert.Equal(RunStatus.Interrupted, ended.Status);
        Assert.Equal("lab/alpha", ended.Backend);
        Assert.Contains("no longer knows this run", ended.Error, StringComparison.Ordinal);
        Assert.Contains("404", ended.Error, StringComparison.Ordinal);

        // A 409 means the run ended there: its run.ended comes through the link, not from here.
        Assert.False(await link.CancelAsync("child-2", patience.Token));
        Assert.False(state.GetRun(refused.RunId!)!.Status.IsTerminal());
        Assert.Equal(
            ["POST /api/runs", "POST /api/runs", "POST /api/runs/child-1/cancel", "POST /api/runs/child-2/cancel"],
            asked.ToArray());
    }
}
