using System.Collections.Concurrent;
using Dashboard.Security;

namespace Dashboard.Demo.Codegen;

/// <summary>Outcome of presenting a stream token.</summary>
public enum StreamTokenCheck
{
    Valid,
    Unknown,
    Reused,
    WrongGeneration,
}

/// <summary>
/// The demo codegen server's memory: access tokens, single-use stream tokens (60 s) and the
/// generations, each bounded so a long-running demo does not grow without end.
/// </summary>
public sealed class CodegenStore : IDisposable
{
    public static readonly TimeSpan StreamTokenLifetime = TimeSpan.FromSeconds(60);

    private const int MaxGenerations = 200;
    private const int MaxTokens = 2000;
    private static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromHours(8);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _accessTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StreamTokenEntry> _streamTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DemoGeneration> _generations = new(StringComparer.Ordinal);
    private readonly DemoRuntime _runtime;
    private readonly SecretRedactor _redactor;
    private readonly GenerationRunner _runner;

    public CodegenStore(DemoRuntime runtime, SecretRedactor redactor)
    {
        _runtime = runtime;
        _redactor = redactor;
        _runner = new GenerationRunner(runtime);
    }

    public string IssueAccessToken()
    {
        var now = _runtime.Time.GetUtcNow();
        Prune(_accessTokens, expiry => expiry <= now);
        var token = DemoCredentials.NewSecret("");
        _redactor.Add(token);
        _accessTokens[token] = now + AccessTokenLifetime;
        return token;
    }

    public bool IsValidAccessToken(string token) =>
        _accessTokens.TryGetValue(token, out var expiry) && expiry > _runtime.Time.GetUtcNow();

    public DemoGeneration Start(string prompt, bool isIteration, string? parentId, string mode)
    {
        var random = _runtime.NextRandom(stream: 3);
        var outcome = DemoOutcomes.Pick(_runtime.ForcedOutcome, random);
        var generation = new DemoGeneration(_runtime, prompt, isIteration, parentId, mode, outcome);
        EvictFinishedBeyondLimit();
        _generations[generation.Id] = generation;
        _ = _runner.RunAsync(generation, random);
        return generation;
    }

    public DemoGeneration? Find(string id) => _generations.GetValueOrDefault(id);

    public string IssueStreamToken(string generationId)
    {
        var now = _runtime.Time.GetUtcNow();
        Prune(_streamTokens, entry => entry.Expires <= now);
        var token = DemoCredentials.NewSecret("");
        _redactor.Add(token);
        _streamTokens[token] = new StreamTokenEntry(generationId, now + StreamTokenLifetime);
        return token;
    }

    /// <summary>Consumes a stream token: valid once, for its generation, within 60 s.</summary>
    public StreamTokenCheck UseStreamToken(string? token, string generationId)
    {
        if (string.IsNullOrEmpty(token) || !_streamTokens.TryGetValue(token, out var entry)
            || entry.Expires <= _runtime.Time.GetUtcNow())
        {
            return StreamTokenCheck.Unknown;
        }

        if (!string.Equals(entry.GenerationId, generationId, StringComparison.Ordinal))
        {
            return StreamTokenCheck.WrongGeneration;
        }

        return Interlocked.Exchange(ref entry.Used, 1) == 0 ? StreamTokenCheck.Valid : StreamTokenCheck.Reused;
    }

    public void Dispose()
    {
        foreach (var generation in _generations.Values)
        {
            generation.Stop();
        }
    }

    private void EvictFinishedBeyondLimit()
    {
        if (_generations.Count < MaxGenerations)
        {
            return;
        }

        var finished = _generations.Values.Where(g => g.Current().Final).OrderBy(g => g.CreatedAt)
            .Take(_generations.Count - MaxGenerations + 1);
        foreach (var generation in finished)
        {
            _generations.TryRemove(generation.Id, out _);
        }
    }

    private static void Prune<T>(ConcurrentDictionary<string, T> tokens, Func<T, bool> expired)
    {
        foreach (var (key, value) in tokens)
        {
            if (expired(value) || tokens.Count > MaxTokens)
            {
                tokens.TryRemove(key, out _);
            }
        }
    }

    private sealed class StreamTokenEntry(string generationId, DateTimeOffset expires)
    {
        public int Used;

        public string GenerationId { get; } = generationId;

        public DateTimeOffset Expires { get; } = expires;
    }
}
