using Dapper;
using Faultline.Storage.Common;
using Npgsql;

namespace Faultline.Storage.Idempotency;

/// <summary>
/// Remembers the first answer to a POST sent with an Idempotency-Key, per API key, for 24 hours, so a
/// client that retries after a timeout starts the work once and gets the same answer again.
/// </summary>
public sealed class IdempotencyStore(NpgsqlDataSource dataSource) : StoreBase(dataSource)
{
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>
    /// Claims the key for this request, or returns what an earlier request with the same key did.
    /// The claim is a row without a status code; it is completed or released by the caller.
    /// </summary>
    public async Task<IdempotencyClaim> ClaimAsync(
        Guid organizationId, Guid apiKeyId, string idempotencyKey, byte[] requestHash, string method, string path, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "delete from idempotency_records where api_key_id = @apiKeyId and idempotency_key = @idempotencyKey and created_at < now() - @retention",
            new { apiKeyId, idempotencyKey, retention = Retention },
            cancellationToken: cancellationToken));
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            """
            insert into idempotency_records (organization_id, api_key_id, idempotency_key, request_hash, method, path)
            values (@organizationId, @apiKeyId, @idempotencyKey, @requestHash, @method, @path)
            on conflict do nothing
            """,
            new { organizationId, apiKeyId, idempotencyKey, requestHash, method, path },
            cancellationToken: cancellationToken));
        if (inserted == 1)
        {
            return new IdempotencyClaim(IdempotencyClaimStatus.Claimed, null);
        }

        var existing = await connection.QuerySingleOrDefaultAsync<StoredRow>(new CommandDefinition(
            """
            select request_hash as RequestHash, method, path, status_code as StatusCode, response_body as ResponseBody,
                   response_type as ResponseType, location
            from idempotency_records where api_key_id = @apiKeyId and idempotency_key = @idempotencyKey
            """,
            new { apiKeyId, idempotencyKey },
            cancellationToken: cancellationToken));
        if (existing is null)
        {
            // Released between our insert and read: the caller may simply retry.
            return new IdempotencyClaim(IdempotencyClaimStatus.InProgress, null);
        }

        if (!existing.RequestHash.AsSpan().SequenceEqual(requestHash) || existing.Method != method || existing.Path != path)
        {
            return new IdempotencyClaim(IdempotencyClaimStatus.Mismatch, null);
        }

        if (existing.StatusCode is null)
        {
            return new IdempotencyClaim(IdempotencyClaimStatus.InProgress, null);
        }

        return new IdempotencyClaim(
            IdempotencyClaimStatus.Replay,
            new StoredResponse(existing.StatusCode.Value, existing.ResponseBody ?? [], existing.ResponseType, existing.Location));
    }

    public async Task CompleteAsync(Guid apiKeyId, string idempotencyKey, StoredResponse response, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            update idempotency_records set status_code = @statusCode, response_body = @body, response_type = @contentType, location = @location
            where api_key_id = @apiKeyId and idempotency_key = @idempotencyKey
            """,
            new { apiKeyId, idempotencyKey, statusCode = response.StatusCode, body = response.Body, contentType = response.ContentType, location = response.Location },
            cancellationToken: cancellationToken));
    }

    /// <summary>Forgets a claim whose request failed before producing a result worth replaying.</summary>
    public async Task ReleaseAsync(Guid apiKeyId, string idempotencyKey, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "delete from idempotency_records where api_key_id = @apiKeyId and idempotency_key = @idempotencyKey and status_code is null",
            new { apiKeyId, idempotencyKey },
            cancellationToken: cancellationToken));
    }

    private sealed record StoredRow(byte[] RequestHash, string Method, string Path, int? StatusCode, byte[]? ResponseBody, string? ResponseType, string? Location);
}
