using System.Text.Json;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Security;
using Dashboard.State;
using Dashboard.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.Storage;

/// <summary>A temporary folder for history files, and the real hub and projections over a real store.</summary>
public sealed class StoreHarness : IDisposable
{
    public const string Secret = "sk-test-secret-9f8e7d6c5b4a";

    public StoreHarness()
    {
        Folder = Directory.CreateTempSubdirectory("dashboard-store-").FullName;
        Path = System.IO.Path.Combine(Folder, "dashboard.db");
    }

    public string Folder { get; }

    public string Path { get; }

    public DashboardOptions Options { get; } = new()
    {
        Backends = [new BackendOptions { Name = "alpha", Kind = "openai-chat", ApiKey = Secret }],
    };

    public SqliteHistoryStore Open(string? path = null, Func<RunView, bool>? resume = null) =>
        new(path ?? Path, Options.Storage, new SecretRedactor(Microsoft.Extensions.Options.Options.Create(Options)), TimeProvider.System, NullLogger<SqliteHistoryStore>.Instance, resume);

    /// <summary>A hub and projections journaling into <paramref name="store"/>, as the app wires them.</summary>
    public (EventHub Hub, DashboardState State) Hub(IHistoryStore store)
    {
        var options = Microsoft.Extensions.Options.Options.Create(Options);
        var state = new DashboardState(options, store);
        return (new EventHub(state, options, journal: store), state);
    }

    public static DateTimeOffset At(int second) => new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero).AddSeconds(second).AddTicks(1234567);

    /// <summary>A run from creation to its end with stage, text deltas, usage and metadata.</summary>
    public static IEnumerable<DashboardEvent> Run(string id, string prompt, string[] deltas, RunStatus end = RunStatus.Completed, int start = 0, string backend = "alpha")
    {
        yield return new RunCreated
        {
            Backend = backend, At = At(start), RunId = id, Prompt = prompt,
            Options = new Dictionary<string, JsonElement> { ["temperature"] = JsonDocument.Parse("0.25").RootElement.Clone() },
        };
        yield return new RunUpstreamIdAssigned { Backend = backend, At = At(start), RunId = id, UpstreamId = "up-" + id };
        yield return new RunStageReported { Backend = backend, At = At(start + 1), RunId = id, Stage = "generating", Status = StageStatus.Running, Message = "halfway", Progress = 0.5 };
        var i = 0;
        foreach (var delta in deltas)
        {
            yield return new RunTextReceived { Backend = backend, At = At(start + 1).AddTicks(++i), RunId = id, Text = delta };
        }

        yield return new RunTextReceived { Backend = backend, At = At(start + 2), RunId = id, Text = "hmm", Channel = TextChannel.Thinking };
        yield return new RunToolCallUpdated { Backend = backend, At = At(start + 2), RunId = id, ToolCallId = "call-1", Name = "search", ArgumentsDelta = "{\"q\":1}" };
        yield return new RunUsageReported { Backend = backend, At = At(start + 3), RunId = id, Usage = new Usage(3, 5, 8) };
        yield return new RunMetadataReported { Backend = backend, At = At(start + 3), RunId = id, Metadata = new Dictionary<string, string> { ["language"] = "python" } };
        if (end != RunStatus.Running)
        {
            yield return new RunEnded { Backend = backend, At = At(start + 4), RunId = id, Status = end, Error = end == RunStatus.Failed ? "boom" : null };
        }
    }

    /// <summary>Every byte of the history files (database, WAL, shared memory).</summary>
    public byte[] AllBytes() =>
        [.. Directory.GetFiles(Folder).Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)).SelectMany(File.ReadAllBytes)];

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow machine; the temp folder is cleaned by the OS.
        }
    }
}
