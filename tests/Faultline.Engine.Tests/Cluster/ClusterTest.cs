using Dapper;
using Faultline.Storage.Cluster;
using Npgsql;

namespace Faultline.Engine.Tests.Cluster;

/// <summary>A fresh migrated database per test, the cluster stores over it, and raw SQL to look behind them.</summary>
public abstract class ClusterTest(PostgresServer postgres) : IAsyncLifetime
{
    private NpgsqlDataSource? _dataSource;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("The test database has not been created.");

    protected LeaseStore Leases { get; private set; } = null!;

    protected NodeStore Nodes { get; private set; } = null!;

    public virtual async ValueTask InitializeAsync()
    {
        _dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync(GetType().Name));
        Leases = new LeaseStore(_dataSource);
        Nodes = new NodeStore(_dataSource);
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    protected async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await DataSource.OpenConnectionAsync(Ct);
        return await connection.ExecuteScalarAsync<T>(new CommandDefinition(sql, parameters, cancellationToken: Ct))
            ?? throw new InvalidOperationException($"No value from: {sql}");
    }

    protected async Task<int> ExecuteAsync(string sql, object? parameters = null)
    {
        await using var connection = await DataSource.OpenConnectionAsync(Ct);
        return await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: Ct));
    }
}
