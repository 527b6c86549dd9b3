using Npgsql;
using Faultline.Storage.Common;

namespace Faultline.Storage.Tests;

/// <summary>A database per test class (see <see cref="DatabaseTest"/>) and helpers for the stores' own tables.</summary>
public abstract class StorageTest(PostgresServer postgres, bool migrated = true) : DatabaseTest(postgres, migrated)
{
    /// <summary>Tables whose contents together are "the state" a refused write must leave untouched.</summary>
    private static readonly string[] TenancyTables = ["organizations", "teams", "members", "api_keys", "audit_events", "idempotency_records"];

    /// <summary>An actor as the API would describe one.</summary>
    protected static AuditContext Actor { get; } = new(Guid.Parse("0196f1a0-0000-7000-8000-0000000000ac"), "test-key", "req-42", "127.0.0.1");

    /// <summary>Inserts an organization directly, so store tests do not depend on the organization store.</summary>
    protected async Task<Guid> CreateOrganizationAsync(string name)
    {
        var id = Guid.CreateVersion7();
        await ExecuteAsync(
            "insert into organizations (id, name, slug) values (@id, @name, @slug)",
            new { id, name, slug = $"{name.ToLowerInvariant()}-{id:N}" });
        return id;
    }

    protected Task<long> AuditCountAsync(Guid organizationId) =>
        ScalarAsync<long>("select count(*) from audit_events where organization_id = @organizationId", new { organizationId });

    protected Task<long> AuditCountAsync() => ScalarAsync<long>("select count(*) from audit_events");

    /// <summary>The audit rows of one organization, oldest first.</summary>
    protected Task<IReadOnlyList<AuditRow>> AuditRowsAsync(Guid organizationId) =>
        QueryAsync<AuditRow>(
            """
            select id, organization_id as OrganizationId, actor_key_id as ActorKeyId, actor_name as ActorName, action,
                   resource_type as ResourceType, resource_id as ResourceId, summary::text as Summary,
                   request_id as RequestId, source_address as SourceAddress, xmin::text as TransactionId
            from audit_events where organization_id = @organizationId order by id
            """,
            new { organizationId });

    /// <summary>The id of the transaction that last wrote a row (its xmin).</summary>
    protected Task<string> WritingTransactionAsync(string table, Guid id) =>
        ScalarAsync<string>($"select xmin::text from {table} where id = @id", new { id });

    /// <summary>
    /// Every row of every tenancy table, serialised in a stable order: equal snapshots mean nothing was
    /// inserted, updated or deleted anywhere.
    /// </summary>
    protected async Task<string> SnapshotAsync()
    {
        var parts = new List<string>();
        foreach (var table in TenancyTables)
        {
            parts.Add($"{table}: " + await ScalarAsync<string>(
                $"select coalesce(string_agg(row_to_json(t)::text, E'\\n' order by row_to_json(t)::text), '') from {table} t"));
        }

        return string.Join('\n', parts);
    }

    /// <summary>
    /// Makes every future audit insert with <paramref name="action"/> fail (existing rows are not checked),
    /// to prove a change and its audit row commit or roll back together.
    /// </summary>
    protected Task RefuseAuditAsync(string action) =>
        ExecuteAsync($"alter table audit_events add constraint \"refuse {action}\" check (action <> '{action}') not valid");

    /// <summary>Asserts that a write failed on a check constraint, such as one added by <see cref="RefuseAuditAsync"/>.</summary>
    protected static async Task AssertCheckViolationAsync(Func<Task> write)
    {
        var exception = await Assert.ThrowsAsync<PostgresException>(write);
        Assert.Equal(PostgresErrorCodes.CheckViolation, exception.SqlState);
    }

    protected sealed record AuditRow(
        long Id,
        Guid OrganizationId,
        Guid? ActorKeyId,
        string ActorName,
        string Action,
        string ResourceType,
        string ResourceId,
        string Summary,
        string? RequestId,
        string? SourceAddress,
        string TransactionId);
}
