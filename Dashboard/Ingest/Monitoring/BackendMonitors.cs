using System.Collections.Concurrent;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dashboard.Ingest.Monitoring;

/// <summary>
/// The registry of <see cref="BackendMonitor"/>s by backend name, and the raw stream inspector
/// over their rings. Configured backends are registered up front so they show (Idle) before their
/// first connection.
/// </summary>
public sealed class BackendMonitors : IRawEventLog, IDisposable
{
    public const string UnknownKind = "unknown";

    private readonly ConcurrentDictionary<string, BackendMonitor> _monitors = new(StringComparer.Ordinal);
    private readonly Lock _registerGate = new();
    private readonly BackendMonitorSettings _settings;
    private readonly SecretRedactor _redactor;
    private readonly IDomainEventSink _sink;
    private readonly TimeProvider _clock;
    private readonly ILogger<BackendMonitors> _logger;

    public BackendMonitors(
        IOptions<DashboardOptions> options,
        SecretRedactor redactor,
        IDomainEventSink sink,
        TimeProvider clock,
        IngestTimings timings,
        ILogger<BackendMonitors> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timings);
        var limits = options.Value.Limits;
        _settings = new BackendMonitorSettings(limits.InspectorCapacity, limits.InspectorDataChars, timings.HealthPublishInterval)
        {
            EventIdBytes = limits.EventIdBytes,
            InspectorBytes = limits.InspectorBytes,
        };
        _redactor = redactor;
        _sink = sink;
        _clock = clock;
        _logger = logger;

        foreach (var backend in options.Value.Backends.Where(b => !string.IsNullOrWhiteSpace(b.Name)))
        {
            Register(backend.Name, backend.Kind, backend.IsDemo);
        }
    }

    /// <summary>Makes a backend known (or updates its kind and demo flag); returns its monitor.</summary>
    public BackendMonitor Register(string name, string kind, bool isDemo)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (_registerGate)
        {
            if (_monitors.TryGetValue(name, out var existing))
            {
                existing.Describe(kind, isDemo);
                return existing;
            }

            var monitor = new BackendMonitor(name, kind, isDemo, _settings, _redactor, _sink, _clock, _logger);
            _monitors[name] = monitor;
            monitor.PublishNow();
            return monitor;
        }
    }

    /// <summary>The monitor of <paramref name="name"/>, registering it with an unknown kind if needed.</summary>
    public BackendMonitor For(string name) =>
        _monitors.TryGetValue(name, out var monitor) ? monitor : Register(name, UnknownKind, isDemo: false);

    public bool TryGet(string name, out BackendMonitor monitor) => _monitors.TryGetValue(name, out monitor!);

    /// <summary>Health of every known backend, by name.</summary>
    public IReadOnlyList<BackendHealth> Snapshot() =>
        [.. _monitors.Values.Select(m => m.Health).OrderBy(h => h.Name, StringComparer.Ordinal)];

    public bool HasBackend(string backend) => _monitors.ContainsKey(backend);

    public IReadOnlyList<RawEventRecord> Recent(string backend, int limit) =>
        _monitors.TryGetValue(backend, out var monitor) ? monitor.Recent(limit) : [];

    public IReadOnlyList<RawEventRecord> After(string backend, long afterSeq, int limit) =>
        _monitors.TryGetValue(backend, out var monitor) ? monitor.After(afterSeq, limit) : [];

    public long Evicted(string backend) => _monitors.TryGetValue(backend, out var monitor) ? monitor.Evicted : 0;

    public void Dispose()
    {
        foreach (var monitor in _monitors.Values)
        {
            monitor.Dispose();
        }
    }
}
