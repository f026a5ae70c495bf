using Dashboard.Configuration;
using Dashboard.Events;
using Dashboard.State;
using Microsoft.Extensions.Options;

namespace Dashboard.Benchmarks.Infrastructure;

/// <summary>The product's hub and projections, built as the app builds them (one shared state, default limits).</summary>
public static class Hubs
{
    public static EventHub Create(DashboardOptions? options = null)
    {
        var wrapped = Options.Create(options ?? new DashboardOptions());
        return new EventHub(new DashboardState(wrapped), wrapped);
    }
}
