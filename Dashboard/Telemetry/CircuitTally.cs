using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Dashboard.Telemetry;

/// <summary>Open Blazor circuits, for <c>dashboard.circuits</c>.</summary>
public sealed class CircuitTally
{
    private long _open;

    public long Open => Interlocked.Read(ref _open);

    internal void Opened() => Interlocked.Increment(ref _open);

    internal void Closed() => Interlocked.Decrement(ref _open);
}

/// <summary>Per circuit (scoped): tells <see cref="CircuitTally"/> when the circuit opens and closes.</summary>
internal sealed class CircuitTallyHandler(CircuitTally tally) : CircuitHandler
{
    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        tally.Opened();
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        tally.Closed();
        return Task.CompletedTask;
    }
}
