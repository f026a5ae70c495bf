using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Dashboard.Testing;
using Dashboard.Tests.TestSupport;

namespace Dashboard.Tests.ScaleOut;

/// <summary>
/// The README's scale-out nginx block, run by Debian's nginx in front of three replicas: a browser
/// (a cookie jar) stays on one replica, and different browsers are spread over the replicas.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class StickySessionTests(PostgresServer postgres, RedisServer redis)
{
    [Fact]
    public async Task Each_browser_stays_on_one_replica_and_browsers_are_spread_over_them()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var a = Replica(database);
        await using var b = Replica(database);
        await using var c = Replica(database);
        foreach (var replica in new[] { a, b, c })
        {
            _ = replica.CreateClient();
        }

        using var proxy = await NginxProxy.StartReplicasAsync(NginxProxy.FreePort(), [a.BaseUrl, b.BaseUrl, c.BaseUrl]);
        var served = new HashSet<string>(StringComparer.Ordinal);
        for (var browser = 0; browser < 24; browser++)
        {
            using var handler = new HttpClientHandler
            {
                CookieContainer = new CookieContainer(),
                ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
            };
            using var client = new HttpClient(handler) { BaseAddress = new Uri(proxy.Origin) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestApp.Token);
            var first = await ReplicaAsync(client);
            Assert.NotNull(handler.CookieContainer.GetCookies(new Uri(proxy.Origin))["dashboard_route"]);
            for (var again = 0; again < 3; again++)
            {
                Assert.Equal(first, await ReplicaAsync(client));
            }

            served.Add(first);
        }

        Assert.True(served.Count >= 2, $"24 browsers all landed on {string.Join(", ", served)}");
    }

    /// <summary>The replica that answered, from its readiness detail.</summary>
    private static async Task<string> ReplicaAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var redisCheck = body.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "redis");
        return redisCheck.GetProperty("data").GetProperty("replica").GetString()!;
    }

    private TestApp Replica(string database) => new(new Dictionary<string, string?>
    {
        ["Dashboard:Storage:Provider"] = "postgres",
        ["ConnectionStrings:Dashboard"] = database,
        ["Dashboard:ScaleOut:Redis"] = redis.ConnectionString,
    })
    {
        Demo = false,
        QuietLogs = true,
    };
}
