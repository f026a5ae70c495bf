using System.Text;

namespace Dashboard.Ingest.Sse;

/// <summary>
/// Request headers of an event stream as browsers send them. <c>Last-Event-ID</c> carries the last
/// event id as UTF-8 bytes: an id is any text an upstream chose, and .NET refuses a non-ASCII
/// header value unless the handler is told its encoding (every reconnect would fail).
/// </summary>
public static class SseRequestHeaders
{
    public const string LastEventId = "Last-Event-ID";

    /// <summary>For <see cref="SocketsHttpHandler.RequestHeaderEncodingSelector"/>: UTF-8 for Last-Event-ID, the default (ASCII only) for every other header.</summary>
    public static Encoding? SelectEncoding(string headerName, HttpRequestMessage? request) =>
        string.Equals(headerName, LastEventId, StringComparison.OrdinalIgnoreCase) ? Encoding.UTF8 : null;

    /// <summary>Applies <see cref="SelectEncoding"/> to an IHttpClientFactory primary handler (a SocketsHttpHandler unless a test replaced it).</summary>
    public static void Configure(HttpMessageHandler handler)
    {
        if (handler is SocketsHttpHandler sockets)
        {
            sockets.RequestHeaderEncodingSelector = SelectEncoding;
        }
    }
}
