using Faultline.Storage.Migrations;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Faultline.Storage.Tests.Migrations;

public sealed class MigrationRunnerTests(PostgresServer postgres) : StorageTest(postgres, migrated: false)
{
    /// <summary>Advisory locks held in this test's database (other tests' databases are not counted).</summary>
    private const string AdvisoryLocksHeld =
        "select count(*) from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())";

    private static readonly string[] Tables = ["organizations", "teams", "members", "api_keys", "audit_events", "idempotency_records"];

    private static int[] EmbeddedVersions => MigrationRunner.Embedded.Select(m => m.Version).ToArray();

    [Fact]
    public void Embedded_migrations_are_found_with_unique_ascending_versions()
    {
        Assert.NotEmpty(MigrationRunner.Embedded);
        Assert.Equal(EmbeddedVersions.Order(), EmbeddedVersions);
        Assert.Equal(EmbeddedVersions.Length, EmbeddedVersions.Distinct().Count());
        Assert.Equal(EmbeddedVersions.Max(), MigrationRunner.LatestVersion);
        Assert.All(MigrationRunner.Embedded, m => Assert.False(string.IsNullOrWhiteSpace(m.Sql), $"{m.Version} {m.Name} is empty"));
        Assert.Contains(MigrationRunner.Embedded, m => m is { Version: 1, Name: "tenancy" });
    }

    [Fact]
    public async Task Applies_every_embedded_migration_once_and_records_it()
    {
        var applied = await Runner(DataSource).ApplyAsync(Ct);

        Assert.Equal(EmbeddedVersions, applied);
        var recorded = await QueryAsync<(int Version, string Name)>("select version, name from schema_migrations order by version");
        Assert.Equal(MigrationRunner.Embedded.Select(m => (m.Version, m.Name)), recorded);
        foreach (var table in Tables)
        {
            Assert.True(await TableExistsAsync(table), $"{table} was not created");
        }
    }

    [Fact]
    public async Task A_second_run_applies_nothing_and_changes_nothing()
    {
        await Runner(DataSource).ApplyAsync(Ct);
        var recordedBefore = await QueryAsync<string>("select version || ' ' || name || ' ' || applied_at::text from schema_migrations order by version");

        var second = await Runner(DataSource).ApplyAsync(Ct);

        Assert.Empty(second);
        Assert.Equal(recordedBefore, await QueryAsync<string>("select version || ' ' || name || ' ' || applied_at::text from schema_migrations order by version"));
    }

    [Fact]
    public async Task Eight_nodes_migrating_one_empty_database_at_once_apply_each_version_exactly_once()
    {
        const int nodes = 8;
        var dataSources = Enumerable.Range(0, nodes).Select(_ => NpgsqlDataSource.Create(ConnectionString)).ToList();
        try
        {
            // Open one connection per node first, so the race is about the migration and not about connecting.
            foreach (var dataSource in dataSources)
            {
                await using var warm = await dataSource.OpenConnectionAsync(Ct);
            }

            // Every node gets ready, then all are released at once.
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var allReady = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var ready = 0;
            var runs = dataSources.Select(dataSource => Task.Run(async () =>
            {
                var runner = Runner(dataSource);
                if (Interlocked.Increment(ref ready) == nodes)
                {
                    allReady.SetResult();
                }

                await start.Task;
                return await runner.ApplyAsync(Ct);
            })).ToList();
            await allReady.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            start.SetResult();

            var results = await Task.WhenAll(runs);

            Assert.Equal(nodes, results.Length);
            var appliedVersions = results.SelectMany(r => r).ToList();
            Assert.Equal(EmbeddedVersions, appliedVersions.Order());
            Assert.All(EmbeddedVersions, version => Assert.Single(results, r => r.Contains(version)));
            Assert.Equal(nodes - 1, results.Count(r => r.Count == 0));

            var recorded = await QueryAsync<int>("select version from schema_migrations order by version");
            Assert.Equal(EmbeddedVersions, recorded);
            foreach (var table in Tables)
            {
                Assert.True(await TableExistsAsync(table), $"{table} was not created");
            }

            // The advisory lock must have been released by every node.
            Assert.Equal(0L, await ScalarAsync<long>(AdvisoryLocksHeld));
        }
        finally
        {
            foreach (var dataSource in dataSources)
            {
                await dataSource.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Current_version_is_the_latest_version_after_migrating()
    {
        await Runner(DataSource).ApplyAsync(Ct);

        Assert.Equal(MigrationRunner.LatestVersion, await MigrationRunner.CurrentVersionAsync(DataSource, Ct));
    }

    [Fact]
    public async Task Current_version_is_zero_on_an_empty_database()
    {
        Assert.False(await TableExistsAsync("schema_migrations"));

        Assert.Equal(0, await MigrationRunner.CurrentVersionAsync(DataSource, Ct));
    }

    [Fact]
    public async Task Current_version_is_zero_while_schema_migrations_exists_but_is_empty()
    {
        await ExecuteAsync("create table schema_migrations (version integer primary key, name text not null, applied_at timestamptz not null default now())");

        Assert.Equal(0, await MigrationRunner.CurrentVersionAsync(DataSource, Ct));
    }

    [Fact]
    public async Task A_failing_migration_leaves_no_trace_and_the_lock_is_released()
    {
        // A table the first migration wants to create already exists: migration 1 must fail as a whole.
        await ExecuteAsync("create table audit_events (id integer)");

        await Assert.ThrowsAsync<PostgresException>(() => Runner(DataSource).ApplyAsync(Ct));

        Assert.Equal(0L, await ScalarAsync<long>("select count(*) from schema_migrations"));
        Assert.False(await TableExistsAsync("organizations"), "the failed migration's earlier statements were not rolled back");
        Assert.Equal(0L, await ScalarAsync<long>(AdvisoryLocksHeld));

        // Once the obstacle is gone, a new run applies everything.
        await ExecuteAsync("drop table audit_events");
        Assert.Equal(EmbeddedVersions, await Runner(DataSource).ApplyAsync(Ct));
    }

    private static MigrationRunner Runner(NpgsqlDataSource dataSource) => new(dataSource, NullLogger<MigrationRunner>.Instance);

    private Task<bool> TableExistsAsync(string table) =>
        ScalarAsync<bool>("select to_regclass(@table) is not null", new { table });
}
