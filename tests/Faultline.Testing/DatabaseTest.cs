using Dapper;
using Npgsql;
using Xunit;

namespace Faultline.Testing;

/// <summary>
/// A fresh database of its own for each test class (migrated unless asked otherwise), a pooled data source
/// over it, and raw SQL helpers that assert what is stored without going through the code under test.
/// </summary>
public abstract class DatabaseTest(PostgresServer postgres, bool migrated = true) : IAsyncLifetime
{
    private NpgsqlDataSource? _dataSource;

    protected PostgresServer Postgres { get; } = postgres;

    protected string ConnectionString { get; private set; } = "";

    protected NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("The test database has not been created.");

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public virtual async ValueTask InitializeAsync()
    {
        ConnectionString = await Postgres.CreateDatabaseAsync(GetType().Name, migrated);
        _dataSource = NpgsqlDataSource.Create(ConnectionString);
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

    protected async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await DataSource.OpenConnectionAsync(Ct);
        return (await connection.QueryAsync<T>(new CommandDefinition(sql, parameters, cancellationToken: Ct))).ToList();
    }
}
