using System.Text.Json;
using Deque.AxeCore.Commons;
using Microsoft.Playwright;

namespace Dashboard.Tests.Browser;

/// <summary>
/// axe-core (the bundled copy the Deque packages ship) run in the page itself: injected once per
/// page load, every rule on the whole document, only the violations sent back. The Deque runner
/// does the same analysis in two halves (a partial run in the page, then the final step in a new
/// blank page with axe injected a second time), which these one-document pages do not need and
/// which cost the sweeps most of their time.
/// </summary>
internal static class AxeSweep
{
    private static readonly Lazy<string> Source = new(() => new BundledAxeScriptProvider().GetScript());

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    /// <summary>The page's serious and critical violations, one line per violating node, named by <paramref name="path"/>.</summary>
    public static async Task<IReadOnlyList<string>> SeriousViolationsAsync(IPage page, string path)
    {
        await page.EvaluateAsync(Source.Value);
        var json = await page.EvaluateAsync<string>(
            """
            async () => {
              const results = await axe.run(document, { resultTypes: ['violations'] });
              return JSON.stringify(results.violations.map(v => ({
                id: v.id,
                impact: v.impact,
                nodes: v.nodes.map(n => ({ target: JSON.stringify(n.target), html: n.html })),
              })));
            }
            """);
        var violations = JsonSerializer.Deserialize<Violation[]>(json, Json) ?? throw new InvalidOperationException("axe returned no result");
        return [.. violations
            .Where(v => v.Impact is "serious" or "critical")
            .SelectMany(v => v.Nodes.Select(n => $"{path}: {v.Id} ({v.Impact}) on {n.Target} {n.Html}"))];
    }

    private sealed record Violation(string Id, string? Impact, IReadOnlyList<ViolationNode> Nodes);

    private sealed record ViolationNode(string Target, string Html);
}
