using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Ingest;
using Dashboard.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Dashboard.Tests.Events;

public sealed class EventsServiceCollectionExtensionsTests
{
    [Fact]
    public void Registers_one_hub_as_hub_and_sink_over_one_shared_state()
    {
        using var provider = new ServiceCollection().AddEventHub().BuildServiceProvider();
        using var scope = provider.CreateScope();

        var hub = provider.GetRequiredService<IEventHub>();
        Assert.Same(hub, provider.GetRequiredService<IDomainEventSink>());
        Assert.Same(hub, scope.ServiceProvider.GetRequiredService<IEventHub>());
        Assert.Same(hub.State, provider.GetRequiredService<IDashboardState>());
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
        Assert.NotNull(provider.GetRequiredService<RemainingTimeEstimator>());

        provider.GetRequiredService<IDomainEventSink>().Publish(State.Events.Created("r1"));
        Assert.NotNull(scope.ServiceProvider.GetRequiredService<IDashboardState>().GetRun("r1"));
    }

    [Fact]
    public void Keeps_a_time_provider_registered_before()
    {
        var fake = new FakeTimeProvider();
        using var provider = new ServiceCollection().AddSingleton<TimeProvider>(fake).AddEventHub().BuildServiceProvider();

        Assert.Same(fake, provider.GetRequiredService<TimeProvider>());
    }
}
