using Dashboard.Tests.Api;
using Dashboard.Tests.Backends.Federation;
using Dashboard.Tests.Backends.Llm;
using Dashboard.Tests.Benchmarks;
using Dashboard.Tests.Browser;
using Dashboard.Tests.Demo;
using Dashboard.Tests.LiveApi;
using Dashboard.Tests.Markdown;
using Dashboard.Tests.Security;
using Dashboard.Tests.Storage;
using Dashboard.Tests.Telemetry;
using Xunit.Abstractions;

namespace Dashboard.Tests.TestSupport;

/// <summary>
/// Starts the longest test collections first. Collections run in parallel but each takes a slot
/// until it ends, and xunit's own order is random: the browser collection (one Chromium, its tests
/// one after another, most of the run's length) used to wait behind a random share of the short
/// ones and then ran alone at the end. Longest first, the short collections fill the other slots
/// around it. The list is the slowest collections of a measured run, longest first; a collection
/// missing from it only starts later (by name, so runs repeat), it is never left out.
/// </summary>
public sealed class LongestFirstCollectionOrderer : ITestCollectionOrderer
{
    public const string TypeName = "Dashboard.Tests.TestSupport.LongestFirstCollectionOrderer";

    private static readonly string[] Longest =
    [
        BrowserCollection.Name,
        PostgresCollection.Name,
        ClassCollection<StreamingEquivalenceTests>(),
        ClassCollection<FederationTests>(),
        ClassCollection<CodegenDemoTests>(),
        ClassCollection<OpenAiDemoTests>(),
        ClassCollection<ApiHardeningTests>(),
        ClassCollection<LiveApiBenchmarkSmokeTests>(),
        ClassCollection<KillRestartTests>(),
        ClassCollection<LlmClientFailureTests>(),
        ClassCollection<HardeningTests>(),
        ClassCollection<StoredReplayTests>(),
        ClassCollection<SqliteHistoryStoreTests>(),
        ClassCollection<ReplayWindowTests>(),
        ClassCollection<TelemetryTests>(),
    ];

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .OrderBy(Rank)
            .ThenBy(c => c.DisplayName, StringComparer.Ordinal);

    private static int Rank(ITestCollection collection)
    {
        var index = Array.FindIndex(Longest, name => Names(collection, name));
        return index < 0 ? Longest.Length : index;
    }

    /// <summary>A named collection's display name is its name; a class's own is "Test collection for" its full name (xunit may add an id after it).</summary>
    private static bool Names(ITestCollection collection, string name) =>
        collection.DisplayName == name
        || collection.DisplayName.StartsWith(name + " ", StringComparison.Ordinal);

    private static string ClassCollection<T>() => "Test collection for " + typeof(T).FullName;
}
