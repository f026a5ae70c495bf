using Dashboard.Benchmarks.Infrastructure;
using Dashboard.Benchmarks.Storage;
using Dashboard.Tests.TestSupport;
using Npgsql;

namespace Dashboard.Tests.Benchmarks;

/// <summary>The store-append benchmark runs on a tiny size and leaves exactly the rows it appended (timing is never asserted).</summary>
[Collection(PostgresCollection.Name)]
public sealed class StoreAppendSmokeTests(PostgresServer server)
{
    [Fact]
    public async Task Store_append_writes_every_run_and_event_to_postgres()
    {
        var database = await server.CreateDatabaseAsync();

        var status = await StoreAppendCommand.RunAsync(new HarnessArgs(["--postgres", database, "--runs", "3", "--deltas", "5", "--rounds", "1"]));

        Assert.Equal(0, status);
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var runs = new NpgsqlCommand("SELECT count(*) FROM runs WHERE status = 'completed';", connection);
        Assert.Equal(3L, await runs.ExecuteScalarAsync());
        await using var events = new NpgsqlCommand("SELECT count(*) FROM events;", connection);
        Assert.Equal(3L * (5 + 2), await events.ExecuteScalarAsync());
    }
}
