using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Benchmarks.Browser;

/// <summary>Benchmark-only circuit handler added to the app's services: how many circuits are open right now.</summary>
public sealed class CircuitCounter : CircuitHandler
{
    private int _open;

    public int Open => Volatile.Read(ref _open);

    /// <summary>
    /// Also shortens the disconnected-circuit retention: a tab closed before Blazor's disconnect
    /// beacon left keeps its circuit for the retention period (3 minutes by default) in case the
    /// reader comes back, and harnesses wait for circuits to close between arms. Pages on loopback
    /// never come back, and in the smoke tests about one beacon in two is lost: every second spent
    /// here is a second of the browser tests' critical path.
    /// </summary>
    public static void Register(IServiceCollection services)
    {
        services.AddSingleton<CircuitCounter>();
        services.AddSingleton<CircuitHandler>(sp => sp.GetRequiredService<CircuitCounter>());
        services.Configure<Microsoft.AspNetCore.Components.Server.CircuitOptions>(o => o.DisconnectedCircuitRetentionPeriod = TimeSpan.FromMilliseconds(100));
    }

    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _open);
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        Interlocked.Decrement(ref _open);
        return Task.CompletedTask;
    }

    /// <summary>Waits (polling, bounded) until exactly <paramref name="count"/> circuits are open.</summary>
    public async Task WaitForAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Open != count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Open} circuits open, expected {count}");
            }

            await Task.Delay(50);
        }
    }
}
