using Dapper;
using Faultline.Storage.Common;
using Npgsql;

namespace Faultline.Storage.Audit;

/// <summary>Reads the audit log, newest first. Writes happen only inside the stores' own transactions.</summary>
public sealed class AuditLogStore(NpgsqlDataSource dataSource) : StoreBase(dataSource)
{
    public async Task<Page<AuditEventRecord>> QueryAsync(Guid organizationId, AuditFilter filter, long? before, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<AuditEventRecord>(new CommandDefinition(
            """
            select id, organization_id as OrganizationId, occurred_at as OccurredAt, actor_key_id as ActorKeyId, actor_name as ActorName,
                   action, resource_type as ResourceType, resource_id as ResourceId, summary::text as Summary,
                   request_id as RequestId, source_address as SourceAddress
            from audit_events
            where organization_id = @organizationId
              and (@before::bigint is null or id < @before)
              and (@actorKeyId::uuid is null or actor_key_id = @actorKeyId)
              and (@action::text is null or action = @action)
              and (@resourceType::text is null or resource_type = @resourceType)
              and (@resourceId::text is null or resource_id = @resourceId)
              and (@from::timestamptz is null or occurred_at >= @from)
              and (@to::timestamptz is null or occurred_at < @to)
            order by id desc limit @take
            """,
            new
            {
                organizationId,
                before,
                actorKeyId = filter.ActorKeyId,
                action = filter.Action,
                resourceType = filter.ResourceType,
                resourceId = filter.ResourceId,
                from = filter.From,
                to = filter.To,
                take = limit + 1,
            },
            cancellationToken: cancellationToken));
        return ToPage(rows, limit);
    }
}
