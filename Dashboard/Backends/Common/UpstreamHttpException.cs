namespace Dashboard.Backends.Common;

/// <summary>An upstream refused a request; <see cref="Exception.Message"/> is its own explanation (see <see cref="UpstreamError"/>).</summary>
public sealed class UpstreamHttpException(int status, string? body)
    : Exception(UpstreamError.Describe(status, body))
{
    public int Status { get; } = status;
}
