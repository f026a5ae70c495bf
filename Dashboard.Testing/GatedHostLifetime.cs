using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Dashboard.Testing;

/// <summary>
/// The app's own host lifetime, whose start first waits for a gate: everything a host checks or
/// starts (options validation, hosted services, Kestrel's bind) comes after that step.
/// </summary>
internal sealed class GatedHostLifetime(IHostLifetime inner, Task gate) : IHostLifetime
{
    public static void Wrap(IServiceCollection services, Task gate)
    {
        var descriptor = services.LastOrDefault(d => d.ServiceType == typeof(IHostLifetime))
            ?? throw new InvalidOperationException("The host registered no IHostLifetime.");
        services.Remove(descriptor);
        services.AddSingleton<IHostLifetime>(sp => new GatedHostLifetime(Create(sp, descriptor), gate));
    }

    public async Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        await inner.WaitForStartAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => inner.StopAsync(cancellationToken);

    private static IHostLifetime Create(IServiceProvider services, ServiceDescriptor descriptor) =>
        (IHostLifetime)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));
}
