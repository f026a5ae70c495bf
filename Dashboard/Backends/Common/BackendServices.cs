using Dashboard.Domain;
using Dashboard.Ingest;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dashboard.Backends.Common;

/// <summary>What the seed clients take from the container when a kind creates them.</summary>
public static class BackendServices
{
    /// <summary>The sink always-on streams publish to (the event hub).</summary>
    public static IDomainEventSink EventSink(IServiceProvider services) => services.GetRequiredService<IDomainEventSink>();

    public static TimeProvider Clock(IServiceProvider services) => services.GetService<TimeProvider>() ?? TimeProvider.System;

    public static ILogger Logger<T>(IServiceProvider services) =>
        services.GetService<ILoggerFactory>()?.CreateLogger<T>() ?? NullLogger<T>.Instance;
}
