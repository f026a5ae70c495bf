using System.Collections.Concurrent;
using Dashboard.Backends;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Runs;
using Dashboard.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.Runs;

/// <summary>Run start, cancel and end are structured log lines: named fields an operator can query, never the prompt.</summary>
public sealed class RunManagerLogTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly RecordingRunStore _sink = new();
    private readonly CapturingLogger _log = new();

    private RunManager Create(TestBackendKind kind)
    {
        var backends = new List<BackendOptions> { new() { Name = "alpha", Kind = kind.Kind, MaxConcurrentRuns = 4 } };
        var options = Options.Create(new DashboardOptions { Backends = backends });
        var catalog = new BackendCatalog();
        catalog.Publish([new BackendEntry(backends[0], kind, kind.CreateClient(backends[0], null!))]);
        return new RunManager(catalog, _sink, _sink, options, TimeProvider.System, _log);
    }

    [Fact]
    public async Task Start_and_end_are_logged_with_their_fields_and_without_the_prompt()
    {
        var manager = Create(new TestBackendKind("t"));

        var runId = manager.Start(new RunRequest("alpha", "a secret-ish prompt")).RunId!;
        await _sink.WaitForEndAsync(runId);

        var started = await _log.WaitForAsync("Run {RunId} started on {Backend} ({Kind}); parent {ParentRunId}, prompt {PromptChars} characters");
        Assert.Equal(runId, started["RunId"]);
        Assert.Equal("alpha", started["Backend"]);
        Assert.Equal(19, started["PromptChars"]);
        var ended = await _log.WaitForAsync("Run {RunId} on {Backend} ended {Status} after {DurationMs} ms");
        Assert.Equal(runId, ended["RunId"]);
        Assert.Equal(RunStatus.Completed, ended["Status"]);
        Assert.DoesNotContain(_log.Lines, l => l.Contains("secret-ish", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_cancel_is_logged_then_the_cancelled_end()
    {
        var assigned = new TaskCompletionSource();
        var kind = new TestBackendKind("t")
        {
            Run = async (run, ct) =>
            {
                assigned.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
            },
        };
        var manager = Create(kind);
        var runId = manager.Start(new RunRequest("alpha", "prompt")).RunId!;
        await assigned.Task.WaitAsync(Patience);

        Assert.True(await manager.CancelAsync(runId));

        var cancel = await _log.WaitForAsync("Run {RunId} on {Backend}: cancel requested");
        Assert.Equal(runId, cancel["RunId"]);
        var ended = await _log.WaitForAsync("Run {RunId} on {Backend} ended {Status} after {DurationMs} ms");
        Assert.Equal(RunStatus.Cancelled, ended["Status"]);
    }

    private sealed class CapturingLogger : ILogger<RunManager>
    {
        private readonly ConcurrentQueue<IReadOnlyDictionary<string, object?>> _entries = new();
        private readonly SemaphoreSlim _added = new(0);

        public IEnumerable<string> Lines => _entries.Select(e => string.Join(" ", e.Values));

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = (state as IEnumerable<KeyValuePair<string, object?>>)?.ToDictionary(kv => kv.Key, kv => kv.Value) ?? [];
            fields["{Message}"] = formatter(state, exception);
            _entries.Enqueue(fields);
            _added.Release();
        }

        /// <summary>The first entry logged with this message template (waits, bounded, for it).</summary>
        public async Task<IReadOnlyDictionary<string, object?>> WaitForAsync(string template)
        {
            using var cts = new CancellationTokenSource(Patience);
            while (true)
            {
                if (_entries.FirstOrDefault(e => Equals(e.GetValueOrDefault("{OriginalFormat}"), template)) is { } entry)
                {
                    return entry;
                }

                await _added.WaitAsync(cts.Token);
            }
        }
    }
}
