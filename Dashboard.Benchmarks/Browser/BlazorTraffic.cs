using System.Text.Json;
using Microsoft.Playwright;

namespace Dashboard.Benchmarks.Browser;

/// <summary>
/// Bytes the server sends a page over its <c>/_blazor</c> WebSocket, read through Chromium's
/// DevTools protocol (<c>Network.webSocketFrameReceived</c>). Binary frames (the circuit's
/// MessagePack protocol) arrive base64-encoded and are counted decoded.
/// </summary>
public sealed class BlazorTraffic
{
    private readonly HashSet<string> _blazorSockets = [];
    private readonly Lock _gate = new();
    private long _bytes;
    private long _frames;

    private BlazorTraffic()
    {
    }

    public long BytesReceived => Interlocked.Read(ref _bytes);

    public long FramesReceived => Interlocked.Read(ref _frames);

    /// <summary>Starts counting for <paramref name="page"/>; call before it navigates so the socket's creation is seen.</summary>
    public static async Task<BlazorTraffic> AttachAsync(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var traffic = new BlazorTraffic();
        var cdp = await page.Context.NewCDPSessionAsync(page);
        cdp.Event("Network.webSocketCreated").OnEvent += (_, e) => traffic.OnCreated(e);
        cdp.Event("Network.webSocketFrameReceived").OnEvent += (_, e) => traffic.OnFrame(e);
        await cdp.SendAsync("Network.enable");
        return traffic;
    }

    /// <summary>Zero the counters (e.g. after the page's first render, to count only the streamed part).</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _bytes, 0);
        Interlocked.Exchange(ref _frames, 0);
    }

    private void OnCreated(JsonElement? e)
    {
        if (e is { } created && created.GetProperty("url").GetString() is { } url && url.Contains("/_blazor", StringComparison.Ordinal))
        {
            lock (_gate)
            {
                _blazorSockets.Add(created.GetProperty("requestId").GetString()!);
            }
        }
    }

    private void OnFrame(JsonElement? e)
    {
        if (e is not { } frame)
        {
            return;
        }

        lock (_gate)
        {
            if (!_blazorSockets.Contains(frame.GetProperty("requestId").GetString()!))
            {
                return;
            }
        }

        var response = frame.GetProperty("response");
        var payload = response.GetProperty("payloadData").GetString() ?? "";
        var binary = response.GetProperty("opcode").GetInt32() == 2;
        long length = binary ? Base64DecodedLength(payload) : System.Text.Encoding.UTF8.GetByteCount(payload);
        Interlocked.Add(ref _bytes, length);
        Interlocked.Increment(ref _frames);
    }

    private static long Base64DecodedLength(string base64)
    {
        var padding = base64.EndsWith("==", StringComparison.Ordinal) ? 2 : base64.EndsWith('=') ? 1 : 0;
        return (base64.Length / 4 * 3) - padding;
    }
}
