using System.Text;
using Dashboard.State;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Security;
using Dashboard.Storage;
using Dashboard.Storage.Postgres;
using Dashboard.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Dashboard.Tests.Storage;

/// <summary>The store contract on a real PostgreSQL 15, and what only a shared server goes through.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresHistoryStoreTests(PostgresServer server) : HistoryStoreContractTests, IAsyncLifetime
{
    private string _connectionString = "";

    protected override long SequenceBlock => PostgresSchema.SequenceBlock;

    public async Task InitializeAsync() => _connectionString = await server.CreateDatabaseAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    protected override IHistoryStore Open(Func<RunView, bool>? handOver = null) => Open(_connectionString, handOver);

    protected override byte[] StoredBytes()
    {
        using var connection = new NpgsqlConnection(_connectionString);
        connection.Open();
        var all = new StringBuilder();
        foreach (var table in new[] { "meta", "events", "gaps", "runs", "graphs", "graph_points" })
        {
            using var command = new NpgsqlCommand($"SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM {table} t;", connection);
            all.Append(command.ExecuteScalar()).Append('\n');
        }

        return Encoding.UTF8.GetBytes(all.ToString());
    }

    [Fact]
    public async Task Replicas_starting_together_migrate_once_under_the_advisory_lock_and_share_one_instance_and_distinct_sequence_blocks()
    {
        var stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => (PostgresHistoryStore)Open())));
        try
        {
            Assert.Single(stores.Select(s => s.InstanceId).Distinct());
            Assert.Matches("^[0-9a-f]{16}$", stores[0].InstanceId);
            Assert.Equal(4, stores.Select(s => s.StartAfter).Distinct().Count());
            Assert.All(stores, s => Assert.Equal(0, s.StartAfter % PostgresSchema.SequenceBlock));
            Assert.All(stores, s => Assert.Equal(StorageOptions.Postgres, s.Provider));
            Assert.StartsWith("postgres://127.0.0.1:", stores[0].Location, StringComparison.Ordinal);

            using var connection = new NpgsqlConnection(_connectionString);
            connection.Open();
            Assert.Equal(PostgresSchema.Current, PostgresSchema.VersionOf(connection));
        }
        finally
        {
            foreach (var store in stores)
            {
                store.Dispose();
            }
        }
    }

    [Fact]
    public void A_database_of_a_newer_version_is_refused_and_left_untouched()
    {
        Open().Dispose();
        using (var connection = new NpgsqlConnection(_connectionString))
        {
            connection.Open();
            PostgresSchema.Execute(connection, "UPDATE meta SET value = '99' WHERE key = 'schema_version';");
        }

        var error = Assert.Throws<StoreRefusedException>(() => Open());

        Assert.Contains("newer Dashboard", error.Message, StringComparison.Ordinal);
        Assert.Contains(PostgresHistoryStore.ConnectionKey, error.Message, StringComparison.Ordinal);
        using var check = new NpgsqlConnection(_connectionString);
        check.Open();
        Assert.Equal(99, PostgresSchema.VersionOf(check));
    }

    [Fact]
    public void An_unreachable_server_is_refused_in_one_line_naming_the_key_and_never_the_password()
    {
        var closed = new NpgsqlConnectionStringBuilder(_connectionString) { Port = ClosedPort(), Password = "pg-password-4f1e2d", Timeout = 2 }.ConnectionString;

        var error = Assert.Throws<StoreRefusedException>(() => Open(closed));

        Assert.Contains(PostgresHistoryStore.ConnectionKey, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pg-password-4f1e2d", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task Nul_characters_and_lone_surrogates_become_replacement_characters_instead_of_failing_the_batch()
    {
        using var store = Open();
        var (hub, _) = Harness.Hub(store);
        foreach (var e in StoreHarness.Run("run-odd", "prompt\0with nul", ["a\0b", "c\uD800d", " fine"]))
        {
            hub.Publish(e);
        }

        foreach (var e in StoreHarness.Run("run-plain", "plain", ["ok"], start: 10))
        {
            hub.Publish(e);
        }

        await store.FlushAsync().WaitAsync(Patience);

        var odd = store.FindRun("run-odd");
        Assert.NotNull(odd);
        Assert.Equal("a\uFFFDbc\uFFFDd fine", odd.Text.ToString());
        Assert.Equal("prompt\uFFFDwith nul", odd.Prompt);
        Assert.NotNull(store.FindRun("run-plain"));
        var replay = await store.ReplayAsync(0, 1000);
        Assert.Contains(replay.Events, e => e.Event is RunTextReceived { RunId: "run-odd", Text: "a\uFFFDb" });
    }

    [Fact]
    public async Task While_the_server_is_down_the_writer_keeps_what_it_holds_and_writes_it_when_the_server_is_back()
    {
        using var store = Open();
        var (hub, _) = Harness.Hub(store);
        foreach (var e in StoreHarness.Run("run-before", "before", ["one"]))
        {
            hub.Publish(e);
        }

        await store.FlushAsync().WaitAsync(Patience);
        await server.StopAsync();
        try
        {
            foreach (var e in StoreHarness.Run("run-during", "during the outage", ["kept ", "whole"], start: 10))
            {
                hub.Publish(e);
            }
        }
        finally
        {
            await server.StartAgainAsync();
        }

        await store.FlushAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var run = store.FindRun("run-during");
        Assert.NotNull(run);
        Assert.Equal("kept whole", run.Text.ToString());
        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(0, store.DroppedEvents);
    }

    private PostgresHistoryStore Open(string connectionString, Func<RunView, bool>? resume = null) => new(
        connectionString,
        Harness.Options.Storage,
        new SecretRedactor(Microsoft.Extensions.Options.Options.Create(Harness.Options)),
        TimeProvider.System,
        NullLogger<PostgresHistoryStore>.Instance,
        resume);

    private static int ClosedPort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }
}
