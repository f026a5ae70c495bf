using Dashboard.Benchmarks.Infrastructure;
using Microsoft.Playwright;

namespace Dashboard.Benchmarks.Browser;

/// <summary>
/// Installed in a page before it loads: a MutationObserver notes, for each marker the first time it
/// appears in the DOM, now − its send time (performance.timeOrigin + performance.now(), wall clock).
/// </summary>
public static class MarkerWatch
{
    private const string Script = """
        (() => {
          const seen = new Set();
          const lat = [];
          window.__markerLatencies = lat;
          window.__markersSeen = () => seen.size;
          const re = /⟦m(\d+)t([\d.]+)⟧/g;
          const scan = text => {
            if (!text || text.indexOf('⟦') < 0) return;
            const now = performance.timeOrigin + performance.now();
            for (const m of text.matchAll(re)) {
              const i = +m[1];
              if (!seen.has(i)) { seen.add(i); lat.push(now - parseFloat(m[2])); }
            }
          };
          new MutationObserver(mutations => {
            for (const mu of mutations) {
              if (mu.type === 'characterData') { scan(mu.target.data); continue; }
              for (const n of mu.addedNodes) scan(n.textContent);
            }
          }).observe(document, { subtree: true, childList: true, characterData: true });
        })();
        """;

    public static Task InstallAsync(IPage page) => page.AddInitScriptAsync(Script);

    public static Task<int> SeenAsync(IPage page) => page.EvaluateAsync<int>("() => window.__markersSeen ? window.__markersSeen() : 0");

    public static async Task WaitForAllAsync(IPage page, int count, TimeSpan timeout)
    {
        await page.WaitForFunctionAsync($"() => window.__markersSeen && window.__markersSeen() >= {count}", null, new PageWaitForFunctionOptions { Timeout = (float)timeout.TotalMilliseconds, PollingInterval = 100 });
    }

    public static async Task<LatencyHistogram> HistogramAsync(IPage page)
    {
        var values = await page.EvaluateAsync<double[]>("() => window.__markerLatencies");
        var histogram = new LatencyHistogram();
        foreach (var v in values)
        {
            histogram.Record(v);
        }

        return histogram;
    }
}
