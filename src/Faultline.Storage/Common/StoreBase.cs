using System.Text.Json;
using Dapper;
using Npgsql;

namespace Faultline.Storage.Common;

/// <summary>Shared plumbing of the stores: transactions, paging and the audit append.</summary>
public abstract class StoreBase(NpgsqlDataSource dataSource)
{
    private static readonly JsonSerializerOptions SummaryJson = new(JsonSerializerDefaults.Web);

    protected NpgsqlDataSource DataSource { get; } = dataSource;

    protected async Task<TResult> InTransactionAsync<TResult>(
        Func<NpgsqlConnection, NpgsqlTransaction, Task<TResult>> work, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>Reads one more row than asked so the caller knows whether another page exists.</summary>
    protected static Page<T> ToPage<T>(IEnumerable<T> rows, int limit)
    {
        var list = rows.ToList();
        var hasMore = list.Count > limit;
        if (hasMore)
        {
            list.RemoveAt(list.Count - 1);
        }

        return new Page<T>(list, hasMore);
    }

    protected static Task AppendAuditAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        Guid organizationId,
        AuditContext audit,
        string action,
        string resourceType,
        string resourceId,
        object summary) =>
        connection.ExecuteAsync(
            """
            insert into audit_events (organization_id, actor_key_id, actor_name, action, resource_type, resource_id, summary, request_id, source_address)
            values (@organizationId, @actorKeyId, @actorName, @action, @resourceType, @resourceId, @summary::jsonb, @requestId, @sourceAddress)
            """,
            new
            {
                organizationId,
                actorKeyId = audit.ActorKeyId,
                actorName = audit.ActorName,
                action,
                resourceType,
                resourceId,
                summary = JsonSerializer.Serialize(summary, SummaryJson),
                requestId = audit.RequestId,
                sourceAddress = audit.SourceAddress,
            },
            transaction);

    protected static bool IsUniqueViolation(PostgresException exception) =>
        exception.SqlState == PostgresErrorCodes.UniqueViolation;

    /// <summary>A field-by-field before/after of an update, for the audit summary.</summary>
    protected static Dictionary<string, object?> Changes(params (string Field, object? Before, object? After)[] fields) =>
        fields.Where(f => !Equals(f.Before, f.After))
            .ToDictionary(f => f.Field, f => (object?)new { from = f.Before, to = f.After });
}
