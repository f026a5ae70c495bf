using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Dashboard.Backends.Common;
using Dashboard.Configuration;
using Dashboard.Security;

namespace Dashboard.Backends.Codegen;

/// <summary>
/// The backend's login (<c>POST /auth/login</c>, form fields) and its bearer token, shared by all
/// runs of one backend; a 401 renews it once.
/// </summary>
internal sealed class CodegenSession(BackendOptions options, IHttpClientFactory http, SecretRedactor redactor)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _token;

    /// <summary>Sends an authorized request; on 401 logs in again and resends once.</summary>
    public async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> build, CancellationToken cancellationToken)
    {
        var client = http.CreateClient(options);
        var token = await TokenAsync(cancellationToken);
        var response = await client.SendAsync(Authorize(build(), token), cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        response.Dispose();
        token = await RenewAsync(token, cancellationToken);
        return await client.SendAsync(Authorize(build(), token), cancellationToken);
    }

    /// <summary>Logs in again unless another caller already replaced <paramref name="stale"/>.</summary>
    public async Task<string> RenewAsync(string? stale, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_token is not null && _token != stale)
            {
                return _token;
            }

            _token = null;
            return _token = await LoginAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<string> TokenAsync(CancellationToken cancellationToken)
    {
        if (_token is { } token)
        {
            return token;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _token ??= await LoginAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<string> LoginAsync(CancellationToken cancellationToken)
    {
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = options.Username ?? "",
            ["password"] = options.Password ?? "",
        });
        using var request = options.NewRequest(HttpMethod.Post, "auth/login", form);
        using var response = await http.CreateClient(options).SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.ReadBodyAsync(cancellationToken, 64 * 1024);
            throw new UpstreamHttpException((int)response.StatusCode, "login failed: " + (UpstreamError.ExtractMessage(body) ?? response.ReasonPhrase));
        }

        using var doc = JsonDocument.Parse(await response.ReadBodyAsync(cancellationToken));
        var token = JsonFields.String(JsonFields.RequireObject(doc.RootElement), "access_token")
            ?? throw new JsonException("Login answer without access_token.");
        if (!SecretRedactor.IsMaskable(token))
        {
            throw new JsonException($"Login answer's access_token is shorter than {SecretRedactor.MinSecretLength} characters: too short to keep out of pages and logs, not used.");
        }

        redactor.Add(token);
        return token;
    }

    private static HttpRequestMessage Authorize(HttpRequestMessage request, string token)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
